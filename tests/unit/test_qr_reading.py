"""The fiscal QR code, found wherever it can be read: turned, small in a big photo, or alone in a
close-up that the quality gate rejects (then it is the whole answer, through preprocess and extract)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic import FISCAL, encode, qr_close_up, synthetic_scan

from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed
from receiptbot.reading.fiscal import QR_ONLY_ENGINE, parse_fiscal_qr
from receiptbot.reading.imaging import READERS, REJECTION_REASONS, ImageRejected, PreparedImage, prepare
from receiptbot.steps import extract, preprocess

EXPECTED = parse_fiscal_qr(FISCAL)
RU_RECEIPTS = Path(__file__).resolve().parents[2].parent / "shared" / "receipts" / "ru"


def prepared(data: bytes, reader: str = "gemini") -> PreparedImage:
    limits = settings()
    return prepare(data, reader, max_bytes=limits.max_upload_bytes, max_pixels=limits.max_pixels)


def on_table(paper: np.ndarray, width: int, height: int, seed: int = 0) -> np.ndarray:
    """``paper`` (grayscale) lying in the middle of a dark, noisy table photographed at width x height."""
    rng = np.random.default_rng(seed)
    photo = rng.normal(90, 12, (height, width)).clip(0, 255).astype(np.uint8)
    y, x = (height - paper.shape[0]) // 2, (width - paper.shape[1]) // 2
    photo[y : y + paper.shape[0], x : x + paper.shape[1]] = paper
    return cv2.GaussianBlur(photo, (0, 0), 0.8)  # a lens, not a renderer


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE])
@pytest.mark.parametrize("reader", READERS)
def test_the_qr_code_of_a_turned_receipt_is_read(turn: int, reader: str) -> None:
    scan = cv2.rotate(synthetic_scan(FISCAL), turn)  # no EXIF: the pixels themselves are turned
    assert prepared(encode(scan), reader).fiscal_qr == EXPECTED


@pytest.mark.parametrize("reader", READERS)
def test_a_small_qr_code_in_a_large_photo_is_read(reader: str) -> None:
    """A receipt filling a fifth of a 12 MP photo: its QR code is 3 px a module in the photo, and
    ~1.5 px in the half-size copy the Gemini preparation decodes."""
    paper = cv2.cvtColor(synthetic_scan(FISCAL), cv2.COLOR_BGR2GRAY)
    paper = cv2.resize(paper, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    assert prepared(encode(on_table(paper, 3024, 4032)), reader).fiscal_qr == EXPECTED


def test_a_small_qr_code_in_a_telegram_photo_is_read_enlarged() -> None:
    """In a 1280 px photo a receipt's QR code can be 2 px a module: it reads from an enlarged copy."""
    paper = cv2.cvtColor(synthetic_scan(FISCAL), cv2.COLOR_BGR2GRAY)
    paper = cv2.resize(paper, None, fx=0.27, fy=0.27, interpolation=cv2.INTER_AREA)
    photo = on_table(paper, 720, 1280)
    assert prepared(encode(photo, ".png")).fiscal_qr == EXPECTED


@pytest.mark.parametrize(("side", "reason"), [(900, "no_document"), (180, "too_small")])
def test_a_close_up_of_only_the_qr_code_is_not_rejected(side: int, reason: str) -> None:
    photo = encode(qr_close_up(FISCAL, side))
    with pytest.raises(ImageRejected) as rejected:  # the same photo of another QR code fails the gate
        prepared(encode(qr_close_up("https://example.com/receipt/12345", side)))
    assert rejected.value.reason == reason

    result = prepared(photo)

    assert result.fiscal_qr == EXPECTED
    assert (result.jpeg, result.rejected) == (None, reason) and reason in REJECTION_REASONS


def test_a_qr_code_that_is_not_fiscal_is_no_fiscal_qr() -> None:
    assert prepared(encode(synthetic_scan("https://example.com/?t=20240115T1830&s=1"))).fiscal_qr is None


def test_a_qr_only_close_up_is_answered_from_the_qr_code_alone(
    fake_storage, fake_records, published, telegram, uploaded, pubsub_message
) -> None:
    """preprocess stores no image and publishes the QR code alone; extract answers from it, no engine."""
    event = uploaded(encode(qr_close_up(FISCAL, 900)))
    event.language = "ru"

    preprocess.handle_event(pubsub_message(event))

    s = settings()
    assert fake_storage.objects(s.work_bucket).get(layout.processed_image(event.receipt_id)) is None
    (sent,) = published
    assert sent.topic == s.topic_preprocessed
    assert sent.event == ReceiptPreprocessed(**event.model_dump(), processed_object=None, fiscal_qr=EXPECTED)

    extract.handle_event(pubsub_message(sent.event))

    (card,) = telegram.chat(event.chat_id)
    assert card["message_id"] == event.status_message_id  # the status message becomes the answer
    assert "1\u00a0234,50\u00a0₽" in card["text"] and "15.01.2024, 18:30" in card["text"]
    assert text("card_read_from_qr", "ru") in card["text"]
    stored = fake_records.documents[event.receipt_id]
    assert stored["engine"] == QR_ONLY_ENGINE and stored["warnings"] == []
    assert (stored["receipt"]["total"], stored["receipt"]["currency"]) == ("1234.50", "RUB")
    assert stored["receipt"]["merchant"]["name"] is None


# Receipts of ru/ whose QR code OpenCV's QRCodeDetector or QRCodeDetectorAruco reads at some scale
# (docs/eval.md, "Fiscal QR detector"), and zxing-cpp's one more.
READ_QR = [
    "nik_bukvoed_a.jpg",
    "nik_bukvoed_b.jpg",
    "nik_dixy_668_a.jpg",
    "nik_spar_full.jpg",
    "nik_dixy_129_a.jpg",
]


@pytest.mark.skipif(not RU_RECEIPTS.is_dir(), reason=f"the ru/ receipts are not in {RU_RECEIPTS}")
@pytest.mark.parametrize("name", READ_QR)
def test_the_qr_codes_of_real_russian_receipts_are_read(name: str) -> None:
    photo = (RU_RECEIPTS / name).read_bytes()
    truth = {
        row.split("\t")[0]: row.split("\t") for row in (RU_RECEIPTS / "truth.tsv").read_text().splitlines()
    }
    qr = prepared(photo).fiscal_qr
    assert qr is not None and (qr.date, qr.total) == (truth[name][2], truth[name][3])
    # And as Telegram sends it: 1280 px on the long side, recompressed.
    gray = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE)
    k = 1280 / max(gray.shape)
    assert prepared(encode(cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA))).fiscal_qr == qr
