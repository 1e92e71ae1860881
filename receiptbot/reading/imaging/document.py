"""The paper in the photo: find its outline, order its corners, and warp it flat and upright.

Every step is a 3x3 homography, so prepare composes the flattening, a rescale and the deskew
rotation and warps the decoded photo once for each image it needs.
"""

from __future__ import annotations

import cv2
import numpy as np

from receiptbot.reading.imaging.pixels import _hist_percentile, _histogram, _resize_long

# The print's own outline (_print_outline): at least this many text lines, this margin around them
# (a share of the long side), and covering at most this share of the frame.
MIN_PRINT_LINES = 3
PRINT_MARGIN = 0.04
MAX_PRINT_AREA = 0.7
MIN_CONTRAST = 10  # grey levels the paper's median is above the table's


def _frame(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)


def _find_paper(small: np.ndarray) -> np.ndarray | None:
    """The paper's four corners (tl, tr, br, bl) in ``small``, or None when no outline is credible.

    The print is closed away first, so the paper is one bright blob; it is then found either as
    the brightest region (Otsu) or by its edges, whichever gives the better quadrilateral. When
    neither is credible, the outline of the print itself is taken if it lies on something darker
    than paper (see _print_outline).
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
    return best if best is not None else _print_outline(ink, paper, histogram)


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
        inside, hist_in, hist_out = _inside_and_outside(quad, paper, histogram)
        contrast = _hist_percentile(hist_in, 50) - _hist_percentile(hist_out, 50)
        # Paper is brighter than the table around it, and the table has little paper-bright area;
        # otherwise this is a bright patch *on* the paper (a scan, a white table): do not crop.
        paper_level = int(_hist_percentile(hist_in, 25))
        if contrast < MIN_CONTRAST or hist_out[paper_level:].sum() > 0.2 * max(hist_out.sum(), 1):
            continue
        if _cuts_print(quad, ink, cv2.mean(ink, inside)[0]):
            continue
        # Three corners the frame's own: the paper runs out of the photo past them, and the fourth
        # is where a thumb or a shadow cuts into it, not a corner of it; warping by it skews the print.
        if _corners_of_frame(quad, paper) == 3:
            continue
        score = hull_area / area_total * min(1.0, contrast / 40)
        if score > best_score:
            best, best_score = _order_corners(quad), score
    return best, best_score


def _print_outline(ink: np.ndarray, paper: np.ndarray, histogram: np.ndarray) -> np.ndarray | None:
    """The corners of the print's lines with a margin, when they lie on something darker than paper.

    A photo of a receipt whose paper has no clear outline (creased, half in shadow, the photo of a
    photo in its frame) is otherwise read whole, table and all: the table's texture, made black and
    white, breaks Tesseract's layout analysis. Not taken when the print fills most of the frame
    (there is little to crop, and a scan's faint margins would be at risk) or when print lies right
    outside the outline (a line it missed, merged with a cable or the table's pattern).
    """
    k = max(3, max(ink.shape) // 40)
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    widths, heights = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    # A line of text: long and flat, not a speck of the table's texture nor the edge of something.
    text_lines = (
        np.flatnonzero((widths >= 3 * heights) & (widths >= ink.shape[1] / 20) & (heights < ink.shape[0] / 8))
        + 1
    )
    if len(text_lines) < MIN_PRINT_LINES:
        return None
    centre, size, angle = cv2.minAreaRect(cv2.findNonZero(np.isin(labels, text_lines).astype(np.uint8)))
    margin = 2 * PRINT_MARGIN * max(ink.shape)
    quad = cv2.boxPoints((centre, (size[0] + margin, size[1] + margin), angle)).astype(np.float32)
    if cv2.contourArea(quad) > MAX_PRINT_AREA * paper.size:
        return None
    inside, hist_in, hist_out = _inside_and_outside(quad, paper, histogram)
    # Only the median contrast, not also a paper outline's "little paper-bright area outside": the
    # receipt's own paper beyond its print is outside here. With that check too, 17 of the outlines
    # taken on three seeds of make eval-preprocess's photos are refused, ru/wywa_1's strong-shadow
    # photo among them, which reads its total by this outline.
    if _hist_percentile(hist_in, 50) - _hist_percentile(hist_out, 50) < MIN_CONTRAST:
        return None
    if _cuts_print(quad, ink, cv2.mean(ink, inside)[0]):
        return None
    h, w = ink.shape
    return _order_corners(np.clip(quad, 0, [w, h]).astype(np.float32))


def _inside_and_outside(
    quad: np.ndarray, paper: np.ndarray, histogram: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mask inside the outline, and the histograms of ``paper`` inside and outside it."""
    inside = np.zeros_like(paper)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    hist_in = _histogram(paper, inside)
    return inside, hist_in, histogram - hist_in


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


def _corners_of_frame(quad: np.ndarray, image: np.ndarray) -> int:
    """How many of the outline's corners are (within 2 % of the long side) the frame's own."""
    near = 0.02 * max(image.shape)
    frame = _frame(image)
    return sum(bool(np.min(np.linalg.norm(frame - corner, axis=1)) <= near) for corner in quad)


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


def _quarter_turn(w: int, h: int) -> np.ndarray:
    """The homography turning a w x h image by 90 degrees clockwise (into h x w)."""
    return np.array([[0, -1, h], [1, 0, 0], [0, 0, 1]], np.float64)


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
