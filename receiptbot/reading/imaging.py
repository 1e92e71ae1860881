"""Turn an uploaded photo into a flat, evenly lit receipt image sized for its reader.

``prepare`` is the whole preprocessing step: check the upload's header before decoding
anything (size and pixel limits, so a decompression bomb costs nothing), decode straight to
grayscale and reduced, apply the EXIF orientation, find the receipt's outline and warp it flat,
deskew the text lines, even out the light, reject photos that cannot be read, size the result
for Gemini (fewer tiles) or OCR (bigger text), and read a Russian fiscal QR code if there is one.

Everything works on grayscale: colour costs decode time and bytes, and a receipt does not need it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from receiptbot.config import Settings
from receiptbot.reading.fiscal import FiscalQR, parse_fiscal_qr

REJECTION_REASONS = ("not_image", "too_large", "too_small", "blurry", "too_dark", "no_document")
READERS = ("gemini", "ocr")

# Formats a phone or a scanner sends; OpenCV decodes all of them. Anything else (GIF, HEIC, PDF,
# TIFF...) gets "not_image", so the user hears "send it as a photo".
_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "BMP"}

# Quality gate. Conservative on purpose: every dev scan and every synthetic phone photo of it,
# hard cases included, stays well clear of these (see tests/test_imaging.py and docs/preprocess.md).
MIN_SIDE = 200  # px, the short side of the upload
MIN_LONG_SIDE = 320
DARK_P99 = 40  # the brightest 1% of the frame is darker than this: paper cannot be told from ink
MIN_INK_LINES = 3  # text-line blobs on the document; fewer means there is nothing to read
MIN_SHARPNESS = 0.1  # see _sharpness: scans score ~0.45, phone photos 0.2-0.55, a scan blurred by 8 px ~0.08

# Decode reduced (1/2, 1/4, 1/8) while the long side stays above this: Gemini needs no more than
# ~2048 px of document, OCR wants every pixel of small print.
_DECODE_MIN_LONG = {"gemini": 1600, "ocr": 3000}
_SMALL_LONG = 512  # the overview used to find the paper
_ANALYSIS_WIDTH = 480  # the flat document is analysed (angle, text size, blur) at most this wide
_GEMINI_MAX_LONG = 2048  # Gemini bills 768x768 tiles (258 tokens each): at most 3 along the long side
_GEMINI_MIN_TEXT = 14  # px of text-line height; below that small print gets hard to read
# px of text-line height that small print is enlarged to. Measured on the eval photos with the
# offline engine: 20 px read 27/31 totals, 24 px 25, 32 px 23, 40 px 23 (enlarged blur hurts).
_OCR_TEXT = 20
_SHARPEN = 0.8  # unsharp-mask amount after enlarging
_OCR_MAX_PIXELS = 16_000_000
_JPEG_QUALITY = 85

_DECODE_FLAGS = {
    1: cv2.IMREAD_GRAYSCALE,
    2: cv2.IMREAD_REDUCED_GRAYSCALE_2,
    4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
    8: cv2.IMREAD_REDUCED_GRAYSCALE_8,
}
# EXIF orientation tag -> how to turn the stored pixels upright.
_ORIENT = {
    2: lambda g: cv2.flip(g, 1),
    3: lambda g: cv2.rotate(g, cv2.ROTATE_180),
    4: lambda g: cv2.flip(g, 0),
    5: cv2.transpose,
    6: lambda g: cv2.rotate(g, cv2.ROTATE_90_CLOCKWISE),
    7: lambda g: cv2.rotate(cv2.transpose(g), cv2.ROTATE_180),
    8: lambda g: cv2.rotate(g, cv2.ROTATE_90_COUNTERCLOCKWISE),
}


class ImageRejected(Exception):
    """The upload cannot be read; ``reason`` (one of REJECTION_REASONS) says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REJECTION_REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass
class PreparedImage:
    jpeg: bytes
    width: int
    height: int
    fiscal_qr: FiscalQR | None


@dataclass
class _Header:
    width: int
    height: int
    orientation: int


def prepare(
    data: bytes,
    reader: str = "gemini",
    max_bytes: int = Settings.max_upload_bytes,  # the defaults of the settings preprocess passes
    max_pixels: int = Settings.max_pixels,
) -> PreparedImage:
    """The clean receipt image for ``reader`` ("gemini" or "ocr"); raises ImageRejected."""
    if reader not in READERS:
        raise ValueError(f"reader must be one of {READERS}, not {reader!r}")
    header = _read_header(data, max_bytes, max_pixels)
    gray = _decode(data, header, _DECODE_MIN_LONG[reader])

    small, small_scale = _resize_long(gray, _SMALL_LONG)
    if _percentile(small, 99) < DARK_P99:
        raise ImageRejected("too_dark")
    quad = _find_paper(small)
    corners = (quad / small_scale) if quad is not None else _frame(gray)
    to_flat, flat_w, flat_h = _flattening(corners)

    # Analyse a small flat copy first: it decides the rotation, the output size and the verdict.
    a = min(1.0, _ANALYSIS_WIDTH / flat_w, 2 * _ANALYSIS_WIDTH / flat_h)
    to_analysis = _scale(a) @ to_flat
    analysis = _warp(gray, to_analysis, round(flat_w * a), round(flat_h * a))
    flat_analysis = _even_light(analysis, text_height=None)
    layout = _layout(flat_analysis)
    angle, text_height = layout.angle, layout.text_height
    if text_height is None:
        raise ImageRejected("no_document", "no lines of text found")
    if _sharpness(flat_analysis, text_height) < MIN_SHARPNESS:
        raise ImageRejected("blurry")
    text_height /= a  # in the flat document's own pixels

    scale = _output_scale(reader, flat_w, flat_h, text_height)
    rotate, out_w, out_h = _rotation(angle, flat_w * scale, flat_h * scale)
    to_out = rotate @ _scale(scale) @ to_flat
    out = _warp(gray, to_out, out_w, out_h)
    out = _stretch_contrast(_even_light(out, text_height * scale))
    if scale > 1:  # enlarged strokes are soft; Tesseract reads crisper edges better
        out = cv2.addWeighted(out, 1 + _SHARPEN, cv2.GaussianBlur(out, (0, 0), 2), -_SHARPEN, 0)

    fiscal_qr = _fiscal_qr(gray, flat_analysis, to_analysis, a, layout.square_blocks)
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    if not ok:  # pragma: no cover - encoding a valid uint8 image does not fail
        raise RuntimeError("JPEG encoding failed")
    return PreparedImage(jpeg=jpeg.tobytes(), width=out_w, height=out_h, fiscal_qr=fiscal_qr)


# --- safety: the header, before any pixel is decoded -------------------------------------------


def _read_header(data: bytes, max_bytes: int, max_pixels: int) -> _Header:
    if not data:
        raise ImageRejected("not_image", "empty upload")
    if len(data) > max_bytes:
        raise ImageRejected("too_large", f"{len(data)} bytes")
    try:
        with warnings.catch_warnings():
            # Pillow warns about (or refuses) huge headers itself; our own limit below decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except Image.DecompressionBombError as exc:
        raise ImageRejected("too_large", "pixel count over Pillow's limit") from exc
    except Exception as exc:  # any parse error of untrusted bytes means "not an image we read"
        raise ImageRejected("not_image", type(exc).__name__) from exc
    width, height = img.size
    if img.format not in _FORMATS:
        raise ImageRejected("not_image", f"format {img.format}")
    if img.format != "MPO" and getattr(img, "n_frames", 1) > 1:  # MPO's 2nd frame is a preview
        raise ImageRejected("not_image", "animated image")
    if width * height > max_pixels:
        raise ImageRejected("too_large", f"{width}x{height} pixels")
    if min(width, height) < MIN_SIDE or max(width, height) < MIN_LONG_SIDE:
        raise ImageRejected("too_small", f"{width}x{height} pixels")
    if img.format in ("JPEG", "MPO") and data.find(b"\xff\xd9", img.tile[0].offset) < 0:
        # No end-of-image marker after the scan data: the upload was cut off.
        raise ImageRejected("not_image", "truncated JPEG")
    try:
        orientation = int(img.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block only loses the orientation, not the photo
        orientation = 1
    return _Header(width, height, orientation)


def _decode(data: bytes, header: _Header, min_long: int) -> np.ndarray:
    """Grayscale, upright, decoded at 1/2, 1/4 or 1/8 when the image is big (JPEG scales for free)."""
    factor = next((f for f in (8, 4, 2) if max(header.width, header.height) // f >= min_long), 1)
    flags = _DECODE_FLAGS[factor] | cv2.IMREAD_IGNORE_ORIENTATION
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if gray is None or gray.size == 0:
        raise ImageRejected("not_image", "undecodable pixels")
    return _ORIENT.get(header.orientation, lambda g: g)(gray)


# --- geometry -------------------------------------------------------------------------------------


def _resize_long(gray: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    scale = min(1.0, long_side / max(gray.shape))
    if scale == 1.0:
        return gray, 1.0
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def _frame(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _find_paper(small: np.ndarray) -> np.ndarray | None:
    """The paper's four corners (tl, tr, br, bl) in ``small``, or None when no outline is credible.

    The print is closed away first, so the paper is one bright blob; it is then found either as
    the brightest region (Otsu) or by its edges, whichever gives the better quadrilateral.
    """
    k = max(3, max(small.shape) // 50) | 1
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    # Print: thin and darker than around it, by a share of the local brightness (so also in shadow).
    darker = cv2.subtract(closed, small)
    ink = cv2.compare(darker, 20, cv2.CMP_GT) & cv2.compare(cv2.multiply(darker, 3), closed, cv2.CMP_GT)
    paper = cv2.GaussianBlur(closed, (5, 5), 0)
    _, bright = cv2.threshold(paper, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    histogram = _histogram(paper)
    median = _hist_percentile(histogram, 50)
    edges = cv2.Canny(paper, 0.33 * median, 0.66 * median + 20)
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    best, best_score = None, 0.0
    for mask in (bright, edges):
        quad, score = _best_quad(mask, paper, histogram, ink)
        if quad is not None and score > best_score:
            best, best_score = quad, score
    return best


def _best_quad(
    mask: np.ndarray, paper: np.ndarray, histogram: np.ndarray, ink: np.ndarray
) -> tuple[np.ndarray | None, float]:
    area_total = float(paper.size)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best, best_score = None, 0.0
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        hull = cv2.convexHull(contour)
        hull_area = cv2.contourArea(hull)
        if not 0.08 * area_total < hull_area < 0.97 * area_total:
            continue
        quad = _quad_of(hull)
        quad_area = cv2.contourArea(quad)
        # The hull must be close to a quadrilateral: paper, not a blob of background.
        if quad_area <= 0 or hull_area / quad_area < 0.9 or not cv2.isContourConvex(quad.astype(np.int32)):
            continue
        inside = np.zeros_like(paper)
        cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
        hist_in = _histogram(paper, inside)
        hist_out = histogram - hist_in
        contrast = _hist_percentile(hist_in, 50) - _hist_percentile(hist_out, 50)
        # Paper is brighter than the table around it, and the table has little paper-bright area;
        # otherwise this is a bright patch *on* the paper (a scan, a white table): do not crop.
        paper_level = int(_hist_percentile(hist_in, 25))
        if contrast < 10 or hist_out[paper_level:].sum() > 0.2 * max(hist_out.sum(), 1):
            continue
        if _cuts_print(quad, ink, cv2.mean(ink, inside)[0]):
            continue
        score = hull_area / area_total * min(1.0, contrast / 40)
        if score > best_score:
            best, best_score = _order_corners(quad), score
    return best, best_score


def _cuts_print(quad: np.ndarray, ink: np.ndarray, ink_inside: float) -> bool:
    """Is there print right outside one of the outline's sides? Then it cut through the paper
    (along a cast shadow's edge, say) and cropping to it would lose part of the receipt."""
    centre = quad.mean(axis=0)
    depth = max(ink.shape) / 25
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        normal = np.array([b[1] - a[1], a[0] - b[0]], np.float32)
        normal /= max(float(np.linalg.norm(normal)), 1e-6)
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal  # point away from the paper
        near, far = 0.4 * depth * normal, 1.4 * depth * normal  # skip the edge line itself
        polygon = np.array([a + near, b + near, b + far, a + far], np.int32)
        # Only the band's bounding box is read: a full-frame mask per side costs more than it tells.
        x, y, w, h = cv2.boundingRect(polygon)
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, ink.shape[1]), min(y + h, ink.shape[0])
        if x1 <= x0 or y1 <= y0:
            continue
        band = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillConvexPoly(band, polygon - np.int32([x0, y0]), 255)
        if cv2.countNonZero(band) and cv2.mean(ink[y0:y1, x0:x1], band)[0] > 0.5 * ink_inside:
            return True
    return False


def _quad_of(hull: np.ndarray) -> np.ndarray:
    """Four corners approximating a convex hull; its minimum-area rectangle when it is not 4-sided."""
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    return cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)


def _order_corners(quad: np.ndarray) -> np.ndarray:
    """tl, tr, br, bl: the paper is upright within ±45°, so sort by angle around the centre."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    ordered = quad[np.argsort(angles)]  # from -pi: tl, tr, br, bl in image coordinates
    return ordered.astype(np.float32)


def _flattening(corners: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The homography taking the paper's corners to an upright rectangle, and its size."""
    tl, tr, br, bl = corners
    w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    w, h = max(round(float(w)), 1), max(round(float(h)), 1)
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(corners.astype(np.float32), target), w, h


def _scale(s: float) -> np.ndarray:
    return np.diag([s, s, 1.0])


def _rotation(angle: float, w: float, h: float) -> tuple[np.ndarray, int, int]:
    """Rotate a w x h image by ``angle`` degrees about its centre, into a canvas that holds it all."""
    if abs(angle) < 0.3:
        return np.eye(3), max(1, round(w)), max(1, round(h))
    rad = np.deg2rad(angle)
    out_w = w * abs(np.cos(rad)) + h * abs(np.sin(rad))
    out_h = h * abs(np.cos(rad)) + w * abs(np.sin(rad))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += (out_w - w) / 2, (out_h - h) / 2
    return np.vstack([m, [0, 0, 1]]), max(1, round(out_w)), max(1, round(out_h))


def _warp(gray: np.ndarray, transform: np.ndarray, w: int, h: int) -> np.ndarray:
    # INTER_AREA is not supported by warps; when shrinking a lot, linear reads too few pixels,
    # so the source is pre-shrunk to at most twice the target first.
    scale = _linear_scale(transform)
    if scale < 0.5:
        pre, s = _resize_long(gray, int(max(gray.shape) * scale * 2))
        transform = transform @ np.diag([1 / s, 1 / s, 1.0])
        gray = pre
    # Enlarging (small print for OCR): cubic keeps strokes sharper than linear.
    flags = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_LINEAR
    return cv2.warpPerspective(gray, transform, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)


def _linear_scale(transform: np.ndarray) -> float:
    """Roughly how much a homography scales lengths (the square root of its Jacobian at the origin)."""
    t = transform / transform[2, 2]
    return float(np.sqrt(abs(np.linalg.det(t[:2, :2]))))


# --- analysis -------------------------------------------------------------------------------------


@dataclass
class _Layout:
    angle: float  # degrees the text lines are tilted
    text_height: float | None  # median height of a text line, px; None when there is no text
    square_blocks: list[tuple[int, int, int, int]]  # x, y, w, h of solid squares: QR finder patterns?


def _layout(flat: np.ndarray) -> _Layout:
    """Where the print is: the text lines' skew and height, and square blocks that may be QR codes.

    Ink is thresholded locally, the characters of a line are merged by a wide closing, and each
    elongated blob's minimum-area rectangle gives one line's angle and height. A QR code's finder
    patterns become solid squares.
    """
    ink = cv2.adaptiveThreshold(flat, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    # Drop the paper's (and the table's) edges: no character is an eighth of the image tall, and an
    # edge touching the print would merge every line into one blob.
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    edges = np.flatnonzero(stats[1:, cv2.CC_STAT_HEIGHT] > flat.shape[0] / 8) + 1
    if len(edges):
        ink[np.isin(labels, edges)] = 0
    k = max(9, flat.shape[1] // 40)
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, heights, weights, squares = [], [], [], []
    for contour in contours:
        (_, _), (rw, rh), rect_angle = cv2.minAreaRect(contour)
        long_side, short_side = max(rw, rh), min(rw, rh)
        if short_side > flat.shape[1] / 25 and long_side < 1.5 * short_side:
            squares.append(cv2.boundingRect(contour))
        if short_side < 3 or long_side < 4 * short_side or long_side < flat.shape[1] / 10:
            continue
        # OpenCV's angle is that of the rectangle's "width" side; bring it to the long side, ±45°.
        angle = rect_angle if rw >= rh else rect_angle - 90
        angle = (angle + 45) % 90 - 45
        angles.append(angle)
        heights.append(short_side)
        weights.append(long_side)
    if len(heights) < MIN_INK_LINES:
        return _Layout(0.0, None, squares)
    return _Layout(_weighted_median(angles, weights), float(np.median(heights)), squares)


def _histogram(img: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    return cv2.calcHist([img], [0], mask, [256], [0, 256]).ravel()


def _percentile(img: np.ndarray, q: float) -> float:
    """A uint8 image's q-th percentile from its histogram: much faster than np.percentile's sort."""
    return _hist_percentile(_histogram(img), q)


def _hist_percentile(histogram: np.ndarray, q: float) -> float:
    cumulative = np.cumsum(histogram)
    if cumulative[-1] == 0:
        return 0.0
    return float(np.searchsorted(cumulative, cumulative[-1] * q / 100))


def _weighted_median(values: list[float], weights: list[float]) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(weights)[order])
    return float(np.asarray(values)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _sharpness(flat: np.ndarray, text_height: float) -> float:
    """How crisp the print is, independent of its size and contrast.

    At a scale where text lines are 12 px high, the strongest Laplacian responses (the 99.5th
    percentile) divided by the ink-to-paper contrast: a sharp stroke edge scores high, a blurred
    one is spread out and scores low, whatever the lighting.
    """
    s = min(1.0, 12.0 / text_height)
    img = cv2.resize(flat, None, fx=s, fy=s, interpolation=cv2.INTER_AREA) if s < 1 else flat
    histogram = _histogram(img)
    lo, hi = _hist_percentile(histogram, 1), _hist_percentile(histogram, 99)
    if hi - lo < 1:
        return 0.0
    lap = cv2.Laplacian(cv2.GaussianBlur(img, (3, 3), 0), cv2.CV_16S, ksize=3)
    # |Laplacian| / 4 fits a byte (the 3x3 kernel's response is at most 4 x 255), for the histogram.
    return _percentile(cv2.convertScaleAbs(lap, alpha=0.25), 99.5) / (hi - lo)


def _output_scale(reader: str, w: int, h: int, text_height: float) -> float:
    if reader == "gemini":
        # Fewer tiles, never upscaled, but small print stays above _GEMINI_MIN_TEXT.
        scale = min(1.0, _GEMINI_MAX_LONG / max(w, h))
        return min(1.0, max(scale, _GEMINI_MIN_TEXT / text_height))
    # Small print is enlarged; big print is left alone (a 300 dpi scan reads best as it is).
    scale = max(1.0, _OCR_TEXT / text_height)
    return min(scale, np.sqrt(_OCR_MAX_PIXELS / (w * h)))


# --- light ----------------------------------------------------------------------------------------


def _even_light(gray: np.ndarray, text_height: float | None) -> np.ndarray:
    """Divide by the paper's own brightness, estimated with the print closed away, at a small scale."""
    small, s = _resize_long(gray, 256)
    # The closing must be wider than a character; without a text size, guess from the width.
    k = int(2 * text_height * s) if text_height else max(small.shape[1] // 20, 3)
    k = max(3, min(k, 31)) | 1
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 2)
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, np.maximum(background, 1), scale=255)


def _stretch_contrast(flat: np.ndarray) -> np.ndarray:
    """Darkest ink to black, the paper (already ~255 after _even_light) to white."""
    lo = _percentile(flat, 0.5)
    hi = 235.0
    if lo >= hi - 20:
        return flat
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) * 255 / (hi - lo), 0, 255).astype(np.uint8)
    return cv2.LUT(flat, lut)


# --- fiscal QR ------------------------------------------------------------------------------------

_QR_FINDER = cv2.QRCodeDetectorAruco()  # locates codes several times faster than QRCodeDetector
_QR_DECODER = cv2.QRCodeDetector()
_QR_CROP = 400  # px: the side a QR code is cut out at, so each module spans several pixels


def _fiscal_qr(
    gray: np.ndarray,
    flat: np.ndarray,
    to_flat: np.ndarray,
    a: float,
    squares: list[tuple[int, int, int, int]],
) -> FiscalQR | None:
    """Decode the fiscal QR code, if the layout saw square blocks (a QR's finder patterns).

    The code is located on the small flat copy, in a window around the largest square (a finder
    pattern is 7 of a code's 21-57 modules), then cut out of the decoded image, flattened, at full
    resolution (or enlarged), since the small copy's modules may be too small to read.
    """
    if not squares:
        return None
    sx, sy, sw, sh = max(squares, key=lambda b: b[2] * b[3])
    reach = 6 * max(sw, sh)
    x0, y0 = max(0, sx - reach), max(0, sy - reach)
    found, points = _QR_FINDER.detect(flat[y0 : sy + sh + reach, x0 : sx + sw + reach])
    if not found or points is None:
        return None
    x, y, w, h = cv2.boundingRect(points.reshape(-1, 2).astype(np.float32) + np.float32([x0, y0]))
    pad = max(w, h) // 6
    x, y, side = x - pad, y - pad, max(w, h) + 2 * pad
    k = max(1 / a, _QR_CROP / side)
    to_crop = np.array([[k, 0, -x * k], [0, k, -y * k], [0, 0, 1]]) @ to_flat
    crop = cv2.warpPerspective(gray, to_crop, (round(side * k), round(side * k)), flags=cv2.INTER_CUBIC)
    # The corners are known: decode() skips QRCodeDetector's own (slow) search.
    corners = (points.reshape(-1, 2) + np.float32([x0 - x, y0 - y])) * k
    text, _ = _QR_DECODER.decode(crop, corners.reshape(1, -1, 2).astype(np.float32))
    return parse_fiscal_qr(text) if text else None
