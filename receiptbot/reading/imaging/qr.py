"""Find a Russian fiscal QR code on the photo as received, before anything can lose it (fiscal.py says
what its text means).

zxing-cpp reads it: on the shared receipt photos it reads every code that OpenCV's QRCodeDetector
or QRCodeDetectorAruco read and more, in a few milliseconds (docs/eval.md, "Fiscal QR detector").
It searches any orientation, and its own smaller copies of the image, itself.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp

from receiptbot.reading.fiscal import FiscalQR, parse_fiscal_qr

# A photo whose long side is below this is also read enlarged to it: in a 1280 px Telegram photo
# a receipt's QR modules are 2-3 px wide, and enlarged ones read (measured: 800-1024 px photos).
_ENLARGED_LONG = 2000
_MAX_ENLARGEMENT = 2.5
_MIN_ENLARGEMENT = 1.2  # less would read nearly the same pixels again


def find_fiscal_qr(gray: np.ndarray) -> FiscalQR | None:
    """The photo's fiscal QR code, or None: read as it is, then enlarged if the photo is small."""
    fiscal = _read_fiscal(gray)
    enlargement = min(_MAX_ENLARGEMENT, _ENLARGED_LONG / max(gray.shape))
    if fiscal is None and enlargement >= _MIN_ENLARGEMENT:
        fiscal = _read_fiscal(
            cv2.resize(gray, None, fx=enlargement, fy=enlargement, interpolation=cv2.INTER_CUBIC)
        )
    return fiscal


def _read_fiscal(gray: np.ndarray) -> FiscalQR | None:
    for code in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        fiscal = parse_fiscal_qr(code.text)  # another QR code on the paper (a shop's link) is not it
        if fiscal is not None:
            return fiscal
    return None
