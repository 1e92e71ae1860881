"""Find a receipt's QR codes on the photo as received, before anything can lose it: the fiscal code
of a Russian cash receipt (fiscal.py says what its text means) and the payment code of a bill
(payment_qr.py).

zxing-cpp reads them: on the shared receipt photos it reads every code that OpenCV's QRCodeDetector
or QRCodeDetectorAruco read and more, in a few milliseconds (docs/eval.md, "Fiscal QR detector").
It searches any orientation, and its own smaller copies of the image, itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from receiptbot.reading.fiscal import FiscalQR, parse_fiscal_qr
from receiptbot.reading.payment_qr import PaymentQR, parse_payment_qr

# A photo whose long side is below this is also read enlarged to it: in a 1280 px Telegram photo
# a receipt's QR modules are 2-3 px wide, and enlarged ones read (measured: 800-1024 px photos).
_ENLARGED_LONG = 2000
_MAX_ENLARGEMENT = 2.5
_MIN_ENLARGEMENT = 1.2  # less would read nearly the same pixels again


@dataclass
class QRCodes:
    fiscal: FiscalQR | None = None
    payment: PaymentQR | None = None

    def __bool__(self) -> bool:
        return self.fiscal is not None or self.payment is not None


def find_qr_codes(gray: np.ndarray) -> QRCodes:
    """The photo's fiscal and payment QR codes: read as it is, then enlarged if the photo is small."""
    codes = _read_codes(gray)
    enlargement = min(_MAX_ENLARGEMENT, _ENLARGED_LONG / max(gray.shape))
    if not codes and enlargement >= _MIN_ENLARGEMENT:
        codes = _read_codes(
            cv2.resize(gray, None, fx=enlargement, fy=enlargement, interpolation=cv2.INTER_CUBIC)
        )
    return codes


def _read_codes(gray: np.ndarray) -> QRCodes:
    codes = QRCodes()
    for code in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        # Other QR codes on the paper (a shop's link, an app's promo) are neither.
        codes.fiscal = codes.fiscal or parse_fiscal_qr(code.text)
        codes.payment = codes.payment or parse_payment_qr(code.bytes)  # its own encoding flag: bytes
    return codes
