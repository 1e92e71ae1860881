"""/start, /export, /delete and the rate limit, on the real local stack."""

from __future__ import annotations

import csv
import io
import time
from concurrent.futures import ThreadPoolExecutor

from helpers import SAMPLE, objects

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot import ratelimit
from receiptbot.bot.commands import DELETE_NO, DELETE_YES
from receiptbot.bot.texts import TEXTS
from receiptbot.config import Settings


def press(user: TelegramUser, message: dict, data: str) -> int:
    query = {
        "id": f"cb-{message['message_id']}",
        "from": {"id": user.chat_id, "is_bot": False, "first_name": "Test", "language_code": "en"},
        "message": {"message_id": message["message_id"], "chat": {"id": user.chat_id, "type": "private"}},
        "chat_instance": "1",
        "data": data,
    }
    return user.post({"update_id": int(time.time() * 1000), "callback_query": query}).status


def test_export_sends_a_csv_of_the_users_receipts(stack: LocalStack, user: TelegramUser) -> None:
    assert user.post(user.message(text="/export")).status == 200
    assert "no receipts" in user.chat()[-1]["text"]

    sent = user.send_photo(SAMPLE.read_bytes())
    user.wait_for_answer(sent.message_id)
    assert user.post(user.message(text="/export@ReceiptBot")).status == 200
    document = user.chat()[-1]["document"]
    assert document["file_name"] == "receipts.csv"
    rows = list(csv.DictReader(io.StringIO(document["content"].lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["receipt_id"] == layout.receipt_id(user.chat_id, sent.message_id)
    assert (rows[0]["total"], rows[0]["date"], rows[0]["currency"]) == ("15.69", "2020-04-07", "EUR")


def test_delete_asks_first_then_removes_everything_of_the_user(stack: LocalStack, user: TelegramUser) -> None:
    sent = user.send_photo(SAMPLE.read_bytes())
    user.wait_for_answer(sent.message_id)
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    stored = {
        "RAW_BUCKET": layout.raw_photo(rid),
        "WORK_BUCKET": f"processed/{user.chat_id}_",
        "RESULTS_BUCKET": layout.results_prefix(user.chat_id),
    }
    stored_before = {bucket: objects(bucket, prefix) for bucket, prefix in stored.items()}
    assert all(stored_before.values())
    assert objects("WORK_BUCKET", layout.rate_limit_prefix(user.chat_id))

    user.post(user.message(text="/delete"))
    confirm = user.chat()[-1]
    buttons = [b["callback_data"] for b in confirm["reply_markup"]["inline_keyboard"][0]]
    assert buttons == [DELETE_YES, DELETE_NO]
    assert press(user, confirm, DELETE_NO) == 200
    assert user.chat()[-1]["text"] == TEXTS["delete_cancelled"]["en"]
    assert {bucket: objects(bucket, prefix) for bucket, prefix in stored.items()} == stored_before

    assert press(user, confirm, DELETE_YES) == 200
    for bucket, prefix in stored.items():
        assert objects(bucket, prefix) == {}, bucket
    assert objects("WORK_BUCKET", layout.rate_limit_prefix(user.chat_id)) == {}
    # Photo, processed image, result and rate-limit counter.
    assert user.chat()[-1]["text"] == TEXTS["deleted"]["en"].format(count=4)


def test_rate_limit_counts_per_chat_and_window(stack: LocalStack) -> None:
    s = Settings(rate_limit_count=3, rate_limit_window_seconds=600)
    now = 1_000_000.0
    assert [ratelimit.allow(s, 1, now) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.allow(s, 2, now)  # another chat has its own budget
    assert ratelimit.allow(s, 1, now + 600)  # the next window starts afresh


def test_rate_limit_never_loses_a_count_to_concurrent_instances(stack: LocalStack) -> None:
    # Each increment is conditional on the generation its read saw: of 8 receipts counted at once
    # against a budget of 4, exactly 4 get in (a lost update would let more in).
    s = Settings(rate_limit_count=4, rate_limit_window_seconds=600)
    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(lambda _: ratelimit.allow(s, 3, 2_000_000.0), range(8)))
    assert allowed.count(True) == 4
