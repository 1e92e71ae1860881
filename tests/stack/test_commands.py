"""/delete on the real local stack (the cost caps it leaves alone: test_caps.py)."""

from __future__ import annotations

from helpers import SAMPLE, objects

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records


def test_delete_asks_first_then_removes_everything_of_the_user(stack: LocalStack, user: TelegramUser) -> None:
    sent = user.send_photo(SAMPLE.read_bytes())
    user.wait_for_answer(sent.message_id)
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    stored = {"RAW_BUCKET": layout.raw_photo(rid), "WORK_BUCKET": f"processed/{user.chat_id}_"}
    stored_before = {bucket: objects(bucket, prefix) for bucket, prefix in stored.items()}
    assert all(stored_before.values())
    assert records.get(rid) is not None

    user.post(user.message(text="/delete"))
    confirm = user.chat()[-1]
    assert user.press(confirm, "Cancel").status == 200
    assert user.chat()[-1]["text"] == TEXTS["delete_cancelled"]["en"]
    assert {bucket: objects(bucket, prefix) for bucket, prefix in stored.items()} == stored_before
    assert records.get(rid) is not None

    assert user.press(confirm, "Yes, delete").status == 200
    for bucket, prefix in stored.items():
        assert objects(bucket, prefix) == {}, bucket
    assert records.of_chat(user.chat_id) == []
    assert user.chat()[-1]["text"] == "🗑 Done: I deleted 1 receipt and every stored photo."
