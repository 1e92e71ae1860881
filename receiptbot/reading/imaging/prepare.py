"""Turn an uploaded photo into a flat, evenly lit receipt image sized for its reader.

``prepare`` is the whole preprocessing step: check the upload's header before decoding
anything (size and pixel limits, so a decompression bomb costs nothing), decode straight to
grayscale and reduced, apply the EXIF orientation, read a Russian fiscal QR code if there is one,
find the receipt's outline and warp it flat, deskew the text lines, even out the light, reject
photos that cannot be read, and size the result for Gemini (fewer tiles) or Tesseract (bigger text).

The QR code is read from the photo as received, before the quality gate: a photo whose fiscal
QR code reads is never rejected (a close-up of only the QR code, as users of the tax service's
app take them, fails the gate as "no document"); it is answered from the QR code alone.

Everything works on grayscale: colour costs decode time and bytes, and a receipt does not need it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from receiptbot.reading.fiscal import FiscalQR
from receiptbot.reading.imaging.decode import MIN_LONG_SIDE, MIN_SIDE, _decode, _Header, _read_header
from receiptbot.reading.imaging.document import (
    _find_paper,
    _flattening,
    _frame,
    _quarter_turn,
    _rotation,
    _scale,
    _warp,
)
from receiptbot.reading.imaging.layout import (
    _deepen_faint_print,
    _even_light,
    _layout,
    _sharpness,
    _stretch_contrast,
)
from receiptbot.reading.imaging.pixels import _percentile, _resize_long
from receiptbot.reading.imaging.qr import find_qr_codes
from receiptbot.reading.imaging.rejection import ImageRejected
from receiptbot.reading.payment_qr import PaymentQR

READERS = ("gemini", "tesseract")

# Quality gate, conservative on purpose like decode.py's size limits.
DARK_P99 = 40  # the brightest 1% of the frame is darker than this: paper cannot be told from ink
MIN_SHARPNESS = 0.1  # see _sharpness: scans score ~0.45, phone photos 0.2-0.55, a scan blurred by 8 px ~0.08

# Decode reduced (1/2, 1/4, 1/8) while the long side stays above this: Gemini needs no more than
# ~2048 px of document, Tesseract wants every pixel of small print.
_DECODE_MIN_LONG = {"gemini": 1600, "tesseract": 3000}
_SMALL_LONG = 512  # the overview used to find the paper
_ANALYSIS_WIDTH = 480  # the flat document is analysed (angle, text size, blur) at most this wide
_GEMINI_MAX_LONG = 2048  # Gemini bills 768x768 tiles (258 tokens each): at most 3 along the long side
_GEMINI_MIN_TEXT = 14  # px of text-line height; below that small print gets hard to read
# px of text-line height that small print is enlarged to. Measured on the eval photos with the
# offline engine: 20 px read 27/31 totals, 24 px 25, 32 px 23, 40 px 23 (enlarged blur hurts).
_TESSERACT_TEXT = 20
_SHARPEN = 0.8  # unsharp-mask amount after enlarging
_TESSERACT_MAX_PIXELS = 16_000_000
_JPEG_QUALITY = 85


@dataclass
class PreparedImage:
    """The clean receipt image, or only the fiscal QR code: when the photo fails the quality gate
    but its QR code reads, ``jpeg`` is None (width and height 0) and ``rejected`` says why."""

    jpeg: bytes | None
    width: int
    height: int
    fiscal_qr: FiscalQR | None
    rejected: str | None = None
    payment_qr: PaymentQR | None = None


def prepare(data: bytes, reader: str, *, max_bytes: int, max_pixels: int) -> PreparedImage:
    """The clean receipt image for ``reader`` ("gemini" or "tesseract") and its fiscal QR code;
    raises ImageRejected (unless the QR code read: then only the QR code is returned).

    ``max_bytes`` and ``max_pixels`` are the upload limits (the settings' MAX_UPLOAD_BYTES, MAX_PIXELS).
    """
    if reader not in READERS:
        raise ValueError(f"reader must be one of {READERS}, not {reader!r}")
    header = _read_header(data, max_bytes, max_pixels)
    gray = _decode(data, header, _DECODE_MIN_LONG[reader])
    codes = find_qr_codes(gray)
    try:
        out = _receipt_image(gray, header, reader)
    except ImageRejected as rejected:
        if not codes:
            raise
        return PreparedImage(
            jpeg=None,
            width=0,
            height=0,
            fiscal_qr=codes.fiscal,
            payment_qr=codes.payment,
            rejected=rejected.reason,
        )
    ok, jpeg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    if not ok:  # pragma: no cover - encoding a valid uint8 image does not fail
        raise RuntimeError("JPEG encoding failed")
    return PreparedImage(
        jpeg=jpeg.tobytes(),
        width=out.shape[1],
        height=out.shape[0],
        fiscal_qr=codes.fiscal,
        payment_qr=codes.payment,
    )


def _receipt_image(gray: np.ndarray, header: _Header, reader: str) -> np.ndarray:
    """The flat, evenly lit receipt sized for ``reader``; raises ImageRejected (the quality gate)."""
    if min(header.width, header.height) < MIN_SIDE or max(header.width, header.height) < MIN_LONG_SIDE:
        raise ImageRejected("too_small", f"{header.width}x{header.height} pixels")
    small, small_scale = _resize_long(gray, _SMALL_LONG)
    if _percentile(small, 99) < DARK_P99:
        raise ImageRejected("too_dark")
    quad = _find_paper(small)
    corners = (quad / small_scale) if quad is not None else _frame(gray)
    to_flat, flat_w, flat_h = _flattening(corners)

    # Analyse a small flat copy first: it decides the rotation, the output size and the verdict.
    a, flat_analysis = _analysis(gray, to_flat, flat_w, flat_h)
    layout = _layout(flat_analysis)
    if flat_w > flat_h:  # a receipt is taller than wide: is this one's text running up and down?
        turned_to_flat = _quarter_turn(flat_w, flat_h) @ to_flat
        turned_a, turned_analysis = _analysis(gray, turned_to_flat, flat_h, flat_w)
        turned_layout = _layout(turned_analysis)
        if turned_layout.line_length > layout.line_length:  # a photo turned by 90 degrees, no EXIF
            to_flat, flat_w, flat_h = turned_to_flat, flat_h, flat_w
            a, flat_analysis, layout = turned_a, turned_analysis, turned_layout
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
    if reader == "tesseract":
        out = _deepen_faint_print(out, text_height * scale)
    if scale > 1:  # enlarged strokes are soft; Tesseract reads crisper edges better
        out = cv2.addWeighted(out, 1 + _SHARPEN, cv2.GaussianBlur(out, (0, 0), 2), -_SHARPEN, 0)
    return out


def _analysis(gray: np.ndarray, to_flat: np.ndarray, w: int, h: int) -> tuple[float, np.ndarray]:
    """The flat document small enough to analyse, evenly lit, and its scale."""
    a = min(1.0, _ANALYSIS_WIDTH / w, 2 * _ANALYSIS_WIDTH / h)
    return a, _even_light(_warp(gray, _scale(a) @ to_flat, round(w * a), round(h * a)), text_height=None)


def _output_scale(reader: str, w: int, h: int, text_height: float) -> float:
    if reader == "gemini":
        # Fewer tiles, never upscaled, but small print stays above _GEMINI_MIN_TEXT.
        scale = min(1.0, _GEMINI_MAX_LONG / max(w, h))
        return min(1.0, max(scale, _GEMINI_MIN_TEXT / text_height))
    # Small print is enlarged; big print is left alone (a 300 dpi scan reads best as it is).
    scale = max(1.0, _TESSERACT_TEXT / text_height)
    return min(scale, np.sqrt(_TESSERACT_MAX_PIXELS / (w * h)))
