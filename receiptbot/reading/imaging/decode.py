"""Untrusted bytes to pixels: the security-critical part of preprocessing, on its own.

The header is read first (format, size and pixel limits, a cut-off JPEG), so a decompression
bomb is refused before a single pixel is decoded. Decoding goes straight to grayscale, reduced
by 1/2, 1/4 or 1/8 when the image is big (JPEG scales for free), and turned upright by the EXIF
orientation that the header gave. HEIC/HEIF (an iPhone's photo sent as a file) is read by
pillow-heif, after the very same header checks: libheif reads the size from the container, and
turns the picture upright itself.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
import pillow_heif
from PIL import Image

from receiptbot.reading.imaging.rejection import ImageRejected

pillow_heif.register_heif_opener()  # Image.open reads HEIC/HEIF headers too
# Formats a phone or a scanner sends; OpenCV decodes all but HEIF. Anything else (GIF, TIFF...) gets
# "not_image", so the user hears "send it as a photo". PDFs are reading/pdf.py's.
_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "BMP", "HEIF"}
_UPRIGHT_WHEN_DECODED = {"HEIF"}  # libheif applies the container's rotation and mirroring
# A HEIC holds more images than the photo (a burst, a Live Photo's frame): its primary one is read.
_MULTI_IMAGE = {"MPO", "HEIF"}

# Quality gate, checked by prepare.py after the QR code search. Conservative on purpose: every dev scan
# and every synthetic phone photo of it, hard cases included, stays well clear of these (see
# tests/unit/test_imaging.py and docs/preprocess.md).
MIN_SIDE = 200  # px, the short side of the upload
MIN_LONG_SIDE = 320

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


@dataclass
class _Header:
    width: int
    height: int
    orientation: int
    format: str = "JPEG"


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
    if img.format not in _MULTI_IMAGE and getattr(img, "n_frames", 1) > 1:  # MPO's 2nd frame is a preview
        raise ImageRejected("not_image", "animated image")
    if width * height > max_pixels:
        raise ImageRejected("too_large", f"{width}x{height} pixels")
    if img.format in ("JPEG", "MPO") and data.find(b"\xff\xd9", img.tile[0].offset) < 0:
        # No end-of-image marker after the scan data: the upload was cut off.
        raise ImageRejected("not_image", "truncated JPEG")
    try:
        orientation = 1 if img.format in _UPRIGHT_WHEN_DECODED else int(img.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block only loses the orientation, not the photo
        orientation = 1
    return _Header(width, height, orientation, img.format)


def _decode(data: bytes, header: _Header, min_long: int) -> np.ndarray:
    """Grayscale, upright, decoded at 1/2, 1/4 or 1/8 when the image is big (JPEG scales for free)."""
    factor = next((f for f in (8, 4, 2) if max(header.width, header.height) // f >= min_long), 1)
    if header.format == "HEIF":
        return _decode_heif(data, factor)
    flags = _DECODE_FLAGS[factor] | cv2.IMREAD_IGNORE_ORIENTATION
    gray = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if gray is None or gray.size == 0:
        raise ImageRejected("not_image", "undecodable pixels")
    return _ORIENT.get(header.orientation, lambda g: g)(gray)


def _decode_heif(data: bytes, factor: int) -> np.ndarray:
    """libheif decodes the whole picture (HEVC cannot scale while decoding); then it is reduced."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            gray = np.asarray(img.convert("L"))
    except Exception as exc:  # a container whose pixels do not decode (cut off, lying about its size)
        raise ImageRejected("not_image", f"undecodable HEIF ({type(exc).__name__})") from exc
    if factor == 1:
        return gray
    return cv2.resize(gray, (gray.shape[1] // factor, gray.shape[0] // factor), interpolation=cv2.INTER_AREA)
