"""/delete and the rate limit, on the real local stack."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from helpers import SAMPLE, objects

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot import ratelimit
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records
from receiptbot.config import Settings


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
    assert user.chat()[-1]["text"] == TEXTS["deleted"]["en"].format(count=1)


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
