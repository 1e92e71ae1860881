"""The offline engine end to end on real scans: pipeline preparation, Tesseract, parser."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import SHARED_RECEIPTS

from receiptbot.config import Settings
from receiptbot.reading import imaging
from receiptbot.reading.ocr import tesseract

DEV = SHARED_RECEIPTS
# Two layouts: a card payment with its slip, and cash handed over with change given back.
SCANS = ["lidl_07042020_06_01569.jpg", "aldi_18042020_11_00883.jpg"]
DEFAULTS = Settings.model_construct()  # the deployed settings: the upload limits preprocess passes

pytestmark = [
    pytest.mark.skipif(not DEV.is_dir(), reason=f"the shared dev scans are not at {DEV}"),
    pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract is not installed (make system-deps)"),
]


@pytest.mark.parametrize("name", SCANS)
def test_reads_total_and_date_named_in_the_file(name: str) -> None:
    merchant, ddmmyyyy, _items, cents = Path(name).stem.split("_")
    scan = (DEV / name).read_bytes()
    limits = {"max_bytes": DEFAULTS.max_upload_bytes, "max_pixels": DEFAULTS.max_pixels}
    image = imaging.prepare(scan, reader="tesseract", **limits).jpeg

    receipt = tesseract.read_receipt(image)

    assert receipt.total == Decimal(int(cents)) / 100
    assert receipt.date == f"{ddmmyyyy[4:]}-{ddmmyyyy[2:4]}-{ddmmyyyy[:2]}"
    assert receipt.merchant.name is not None and merchant in receipt.merchant.name.lower()
    assert receipt.currency == "EUR"
    assert receipt.items, "a clean scan has readable item lines"
