"""A close-up of only the fiscal QR code, on the real local stack: answered from the QR code alone."""

from __future__ import annotations

from helpers import objects, published, user_of
from synthetic import FISCAL, encode, qr_close_up

from devstack.stack import LocalStack
from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.cloud import records
from receiptbot.reading.fiscal import QR_ONLY_ENGINE


def test_a_qr_only_close_up_is_answered_from_the_qr_code_alone(gemini_stack: LocalStack) -> None:
    """The quality gate would say "no receipt here"; the QR code is read instead, and no model is asked."""
    ru_user = user_of(gemini_stack, "ru")
    model_calls = len(gemini_stack.gemini.requests)

    sent = ru_user.send_photo(encode(qr_close_up(FISCAL, 900)))
    answer = ru_user.wait_for_answer(sent.message_id)

    assert "1\u00a0234,50\u00a0₽" in answer["text"] and "15.01.2024, 18:30" in answer["text"]
    assert text("card_read_from_qr", "ru") in answer["text"]
    assert len(gemini_stack.gemini.requests) == model_calls
    rid = layout.receipt_id(ru_user.chat_id, sent.message_id)
    (event,) = published("receipts-preprocessed", rid)
    assert "processed_object" not in event and event["fiscal_qr"]["total"] == "1234.50"
    assert objects("WORK_BUCKET", layout.processed_image(rid)) == {}  # no image was stored
    result = records.get(rid)
    assert result.engine == QR_ONLY_ENGINE and result.receipt.merchant.name is None
