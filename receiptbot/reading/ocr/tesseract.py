"""The offline engine: Tesseract OCR plus the text parser, used when no Gemini credentials are set.

Settings chosen by measurement on the dev scans (see docs/eval-extract.md): page segmentation
mode 6 (one uniform block of text) keeps a receipt's name and amount on one line better than
mode 4, and one pass is enough; a second pass with the other mode cost twice the time for no
gain in total, date or merchant.
"""

from __future__ import annotations

import io
import os

# Tesseract's OpenMP threads fight each other on a small instance that runs several receipts at
# once; one thread each is faster overall. pytesseract starts a subprocess that inherits this.
os.environ["OMP_THREAD_LIMIT"] = "1"

import pytesseract  # imported after OMP_THREAD_LIMIT is set, for clarity
from PIL import Image

from receiptbot.reading.model import Receipt
from receiptbot.reading.ocr.parser import parse_receipt_text

PSM = 6  # page segmentation mode: a single uniform block of text
OCR_TIMEOUT_SECONDS = 90  # inside extract's 120 s function timeout; a stuck OCR raises RuntimeError


def read_receipt(image: bytes, languages: str = "deu+eng+rus", psm: int = PSM) -> Receipt:
    """Read a preprocessed (grayscale, text-sized) receipt image into the receipt model."""
    return parse_receipt_text(ocr_text(image, languages, psm))


def ocr_text(image: bytes, languages: str = "deu+eng+rus", psm: int = PSM) -> str:
    """The text Tesseract reads on the image, line by line."""
    with Image.open(io.BytesIO(image)) as img:
        img.load()
        return pytesseract.image_to_string(
            img, lang=languages, config=f"--psm {psm}", timeout=OCR_TIMEOUT_SECONDS
        )
