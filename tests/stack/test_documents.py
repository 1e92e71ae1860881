"""Documents as they arrive, on the real local stack: a PDF e-receipt, a scanned bill as a PDF, an
iPhone's HEIC sent as a file; and the bad ones (encrypted, 500 pages, a PDF bomb, a HEIC that lies
about its size), each answered in plain words with nothing stored."""

from __future__ import annotations

import base64
import struct

import cv2
import pytest
from documents import (
    PAYMENT_QR,
    bill_scan,
    bomb_pdf,
    encrypted_pdf,
    heic,
    many_pages_pdf,
    scan_pdf,
    text_pdf,
)
from helpers import objects, user_of
from synthetic import FISCAL, synthetic_scan

from devstack.stack import LocalStack
from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.cloud import records

NBSP = "\u00a0"


def answered(
    stack: LocalStack, data: bytes, mime_type: str, reading: dict | None = None, language: str = "ru"
):
    """Send ``data`` as a file; the answer, and the receipt id. ``reading``: what the model reads."""
    user = user_of(stack, language)
    previous = stack.gemini.answer
    if reading is not None:
        stack.gemini.answer = reading
    try:
        sent = user.post(user.document_update(data, mime_type, "receipt"))
        answer = user.wait_for_answer(sent.message_id)
    finally:
        stack.gemini.answer = previous
    return answer, layout.receipt_id(user.chat_id, sent.message_id)


def test_a_pdf_e_receipt_with_its_fiscal_code_is_read_and_answered(gemini_stack: LocalStack) -> None:
    reading = {"merchant": {"name": 'ООО "Агроторг" Пятёрочка'}, "date": "2024-01-15", "total": "1234.50"}
    document = text_pdf(qr_text=FISCAL)
    answer, rid = answered(gemini_stack, document, "application/pdf", reading)

    assert f"Итого: 1{NBSP}234,50{NBSP}₽" in answer["text"] and "15.01.2024, 18:30" in answer["text"]
    assert answer["text"].startswith("🧾 <b>Пятёрочка</b>\n<i>ООО «Агроторг»</i>")
    record = records.get(rid)
    assert record is not None and record.receipt.time == "18:30"  # the time is the QR code's
    assert layout.processed_image(rid) in objects("WORK_BUCKET", layout.processed_image(rid))  # the page
    # Gemini was sent the PDF itself, as uploaded, not the rendered page.
    sent = inline_parts(gemini_stack)[-1]
    assert sent["mime_type"] == "application/pdf" and base64.urlsafe_b64decode(sent["data"]) == document


def inline_parts(stack: LocalStack) -> list[dict]:
    """The inline data of every request the Gemini stand-in got, in order."""
    return [
        part["inlineData"]
        for seen in stack.gemini.requests
        for content in seen["body"]["contents"]
        for part in content["parts"]
        if "inlineData" in part
    ]


def test_a_scanned_bill_as_a_pdf_gets_the_utility_card(gemini_stack: LocalStack) -> None:
    reading = {
        "document_type": "utility_receipt",
        "merchant": {"name": "ГБУ «Жилищник района Марьино»"},
        "date": "2024-04-03",
        "total": "6843.27",
        "currency": "RUB",
        "payment": {"payee": "ГБУ «Жилищник района Марьино»", "account": "1234567890", "period": "март 2024"},
    }
    answer, rid = answered(gemini_stack, scan_pdf(bill_scan(PAYMENT_QR)), "application/pdf", reading)

    lines = answer["text"].splitlines()
    assert lines[0] == "<b>🏠 Квитанция ЖКХ за март 2024</b>"
    assert (
        f"<b>К оплате: 6{NBSP}843,27{NBSP}₽</b>" in lines and "Лицевой счёт: <code>1234567890</code>" in lines
    )
    assert records.get(rid) is not None


def test_an_iphone_heic_sent_as_a_file_is_read_like_a_photo(gemini_stack: LocalStack) -> None:
    answer, rid = answered(gemini_stack, heic(synthetic_scan(FISCAL)), "image/heic")

    assert f"1{NBSP}234,50{NBSP}₽" in answer["text"]  # the fiscal code, read off the HEIC's pixels
    assert records.get(rid) is not None


def lying_heic() -> bytes:
    data = bytearray(heic(cv2.cvtColor(synthetic_scan(), cv2.COLOR_BGR2GRAY)))
    at = data.index(b"ispe") + 8
    data[at : at + 8] = struct.pack(">II", 30_000, 30_000)  # 900 Mpx claimed
    return bytes(data)


@pytest.mark.parametrize(
    ("make", "mime_type", "reason"),
    [
        (encrypted_pdf, "application/pdf", "pdf_encrypted"),
        (lambda: many_pages_pdf(500), "application/pdf", "pdf_too_long"),
        (bomb_pdf, "application/pdf", "pdf_too_complex"),
        (lying_heic, "image/heic", "too_large"),
    ],
    ids=["encrypted", "500-pages", "bomb", "lying-heic"],
)
def test_a_bad_document_gets_its_answer_and_changes_nothing(
    gemini_stack: LocalStack, make, mime_type: str, reason: str
) -> None:
    model_calls = len(gemini_stack.gemini.requests)
    answer, rid = answered(gemini_stack, make(), mime_type, language="en")

    assert answer["text"] == text(reason, "en")
    assert records.get(rid) is None
    assert objects("WORK_BUCKET", layout.processed_image(rid)) == {}
    assert len(gemini_stack.gemini.requests) == model_calls
