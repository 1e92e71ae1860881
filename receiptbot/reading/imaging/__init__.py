"""Preprocessing: an uploaded photo in, a flat, evenly lit receipt image sized for its reader out.

decode.py reads untrusted bytes safely, document.py finds and flattens the paper, layout.py
reads the print's skew, size, sharpness and light, qr.py decodes a QR code, and prepare.py
runs them in order (the public API below). rejection.py names the reasons a photo is refused;
pixels.py holds the resize and histogram helpers the stages share.
"""

from receiptbot.reading.imaging.prepare import READERS, PreparedImage, prepare
from receiptbot.reading.imaging.rejection import REJECTION_REASONS, ImageRejected

__all__ = ["READERS", "REJECTION_REASONS", "ImageRejected", "PreparedImage", "prepare"]
