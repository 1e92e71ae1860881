"""PDFs and HEIC photos, in process: real files made with PDFium and libheif, read by the code the
preprocess step runs; the bad ones (encrypted, 500 pages, a bomb, a HEIC that lies about its size)
get their reason, and preprocess answers them once and publishes nothing."""

from __future__ import annotations

import struct

import cv2
import numpy as np
import pytest
from documents import (
    E_RECEIPT_LINES,
    PAYMENT_QR,
    bill_scan,
    bomb_pdf,
    broken_pdf,
    encrypted_pdf,
    heic,
    many_pages_pdf,
    scan_pdf,
    text_pdf,
)
from synthetic import FISCAL, synthetic_scan

from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import settings
from receiptbot.reading import imaging, pdf
from receiptbot.reading.fiscal import parse_fiscal_qr
from receiptbot.reading.imaging.qr import find_qr_codes
from receiptbot.reading.payment_qr import parse_payment_qr
from receiptbot.steps import preprocess
from receiptbot.steps.webhook import Image, pick_image
from receiptbot.telegram.types import Message

LIMITS = {"max_bytes": 20_000_000, "max_pixels": 60_000_000}


def gray_scan(qr_text: str | None = None) -> np.ndarray:
    return cv2.cvtColor(synthetic_scan(qr_text), cv2.COLOR_BGR2GRAY)


def test_an_e_receipt_pdf_gives_its_text_layer_and_its_page() -> None:
    content = pdf.read_pdf(text_pdf())
    assert content.page_count == 1 and content.text is not None
    assert content.text.splitlines() == E_RECEIPT_LINES  # exact, Cyrillic and all: no OCR
    (page,) = content.pages
    assert page.width == round(80 / 25.4 * pdf.RENDER_DPI)  # an 80 mm receipt at 200 dpi


def test_a_scanned_pdf_has_no_text_layer_and_is_rendered_from_its_first_pages() -> None:
    content = pdf.read_pdf(scan_pdf(gray_scan(), pages=3))
    assert content.page_count == 3 and content.text is None
    assert len(content.pages) == pdf.PAGES_READ
    assert all(page.width * page.height <= pdf.MAX_PAGE_PIXELS for page in content.pages)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (encrypted_pdf(), "pdf_encrypted"),
        (broken_pdf(), "pdf_broken"),
        (many_pages_pdf(500), "pdf_too_long"),
        (many_pages_pdf(0), "pdf_broken"),
    ],
    ids=["encrypted", "broken", "500-pages", "no-pages"],
)
def test_a_bad_pdf_gets_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(pdf.PdfRejected) as caught:
        pdf.read_pdf(data)
    assert caught.value.reason == reason


def test_a_pdf_bomb_is_stopped_by_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five billion rectangles in 4 KB: the worker process is ended at the limit, not this one."""
    monkeypatch.setattr(pdf, "TIME_LIMIT_SECONDS", 3.0)
    data = bomb_pdf()
    assert len(data) < 10_000
    with pytest.raises(pdf.PdfRejected) as caught:
        pdf.read_pdf(data)
    assert caught.value.reason == "pdf_too_complex"


def test_the_pdf_header_is_found_where_readers_find_it() -> None:
    assert pdf.is_pdf(text_pdf()) and pdf.is_pdf(b"\n\n%PDF-1.4 ...")
    assert not pdf.is_pdf(b"\xff\xd8\xff\xe0 a JPEG") and not pdf.is_pdf(b"")


def test_a_heic_photo_is_read_like_a_jpeg() -> None:
    prepared = imaging.prepare(heic(synthetic_scan(FISCAL)), "tesseract", **LIMITS)
    assert prepared.jpeg is not None and prepared.fiscal_qr == parse_fiscal_qr(FISCAL)


def lying_heic(width: int, height: int) -> bytes:
    """A real HEIC whose header (the 'ispe' box) claims another size than its pixels have."""
    data = bytearray(heic(gray_scan()))
    at = data.index(b"ispe") + 8  # box type, then version and flags
    data[at : at + 8] = struct.pack(">II", width, height)
    return bytes(data)


def test_a_heic_that_lies_about_its_size_is_refused_before_decoding() -> None:
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.prepare(lying_heic(30_000, 30_000), "gemini", **LIMITS)  # 900 Mpx claimed
    assert caught.value.reason == "too_large"
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.prepare(heic(gray_scan()), "gemini", max_bytes=1000, max_pixels=60_000_000)
    assert caught.value.reason == "too_large"


def test_the_webhook_takes_pdfs_and_heic_files() -> None:
    for mime in ("application/pdf", "image/heic", "image/HEIF"):
        message = Message.model_validate(
            {"message_id": 1, "chat": {"id": 1}, "document": {"file_id": "d", "mime_type": mime}}
        )
        assert pick_image(message) == Image("d", None, "document")


# -- the preprocess step, in process --------------------------------------------------------


@pytest.fixture
def world(fake_storage, published, telegram) -> None:
    """Preprocess against the fake storage, the Pub/Sub capture and the Bot API stand-in."""


def test_preprocess_sends_a_scanned_bill_on_with_its_page_and_its_payment_code(
    world, published, uploaded, pubsub_message
) -> None:
    event = uploaded(scan_pdf(bill_scan(PAYMENT_QR)))

    preprocess.handle_event(pubsub_message(event))

    (sent,) = published
    assert sent.event.processed_object == layout.processed_image(event.receipt_id)
    assert storage.find(settings().work_bucket, sent.event.processed_object).content_type == "image/jpeg"
    assert sent.event.fiscal_qr is None


def test_preprocess_carries_the_payment_code_and_the_text_layer_in_the_event(
    world, published, uploaded, pubsub_message
) -> None:
    bill, receipt = uploaded(scan_pdf(bill_scan(PAYMENT_QR))), uploaded(text_pdf())

    preprocess.handle_event(pubsub_message(bill))
    preprocess.handle_event(pubsub_message(receipt))

    bill_event, receipt_event = (sent.event.model_dump() for sent in published)
    assert bill_event["payment_qr"] == parse_payment_qr(PAYMENT_QR.encode()).model_dump()
    assert receipt_event["text_layer"].splitlines() == E_RECEIPT_LINES


@pytest.mark.parametrize(
    ("data", "reason"),
    [(encrypted_pdf(), "pdf_encrypted"), (broken_pdf(), "pdf_broken"), (many_pages_pdf(500), "pdf_too_long")],
    ids=["encrypted", "broken", "500-pages"],
)
def test_preprocess_answers_a_bad_pdf_once_and_goes_no_further(
    world, published, telegram, uploaded, pubsub_message, data: bytes, reason: str
) -> None:
    event = uploaded(data)

    preprocess.handle_event(pubsub_message(event))
    preprocess.handle_event(pubsub_message(event))  # redelivered: answered already

    (answer,) = telegram.chat(event.chat_id)
    assert answer["message_id"] == event.status_message_id and answer["text"] == text(reason, "en")
    assert published == []
    assert storage.find(settings().work_bucket, layout.processed_image(event.receipt_id)) is None


def test_the_payment_code_on_a_rendered_page_is_decoded() -> None:
    content = pdf.read_pdf(scan_pdf(bill_scan(PAYMENT_QR)))
    (page,) = content.pages
    pixels = np.frombuffer(page.pixels, np.uint8).reshape(page.height, page.stride)[:, : page.width]
    assert find_qr_codes(pixels).payment == parse_payment_qr(PAYMENT_QR.encode())


def test_every_pdf_rejection_has_its_answer_in_both_languages() -> None:
    from receiptbot.bot.texts import TEXTS

    assert all(set(TEXTS[reason]) == {"ru", "en"} for reason in pdf.PDF_REJECTION_REASONS)
