"""The cost caps (receiptbot.bot.ratelimit): which cap a receipt meets, when it can be sent again,
and whose notice it is. The counting itself runs against the Firestore emulator in
tests/stack/test_caps.py; here records is the in-memory FakeRecords."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc

from receiptbot import faults
from receiptbot.bot import ratelimit
from receiptbot.cloud import records
from receiptbot.config import Settings

WINDOW = 600
DAY = ratelimit.DAY_SECONDS
NOW = 1_000 * DAY + 5.0  # early in a UTC day and in a window


@pytest.fixture
def caps() -> Settings:
    return Settings(
        rate_limit_count=3,
        rate_limit_window_seconds=WINDOW,
        user_daily_receipts=4,
        chat_daily_receipts=5,
        global_daily_receipts=1000,
    )


def test_each_cap_refuses_in_turn_and_says_when_its_window_ends(caps: Settings) -> None:
    ids = iter(range(100))

    def send(chat: int, user: int, now: float = NOW) -> ratelimit.Refusal | None:
        return ratelimit.admit(caps, f"{chat}_{next(ids)}", chat, user, now)

    assert [send(1, 1) for _ in range(3)] == [None] * 3
    burst = send(1, 1)
    assert (burst.text_key, burst.limit, burst.until) == ("rate_limited", 3, (NOW // WINDOW + 1) * WINDOW)
    later = NOW + WINDOW
    assert send(1, 1, later) is None
    day = send(1, 1, later)  # the user's fifth of the day: their own cap, in any chat
    assert (day.text_key, day.until) == ("cap_user", (NOW // DAY + 1) * DAY)
    assert send(2, 1, later).text_key == "cap_user"  # a new group is no fresh budget
    assert send(1, 2, later) is None  # another member of chat 1: the chat's fifth
    assert send(1, 3, later + WINDOW).text_key == "cap_chat"
    assert send(1, 3, NOW + DAY) is None  # the next day starts afresh


def test_the_global_cap_is_shared_out_over_its_shards_and_never_exceeded(caps: Settings) -> None:
    s = caps.model_copy(update={"global_daily_receipts": 2 * ratelimit.GLOBAL_SHARDS + 1})
    outcomes = [ratelimit.admit(s, f"{n}_1", n, n, NOW) for n in range(200)]  # 200 people, one each
    admitted = outcomes.count(None)
    assert ratelimit.GLOBAL_SHARDS <= admitted <= 2 * ratelimit.GLOBAL_SHARDS  # a share per shard
    refusals = [r for r in outcomes if r is not None]
    assert {r.text_key for r in refusals} == {"cap_global"}
    assert len({r.notice_key for r in refusals}) == len(refusals)  # each person is told


def test_a_receipt_is_counted_once_however_often_its_update_comes(caps: Settings, fake_records) -> None:
    for _ in range(5):
        assert ratelimit.admit(caps, "1_1", 1, 1, NOW) is None
    assert len(fake_records.counted) == 1 and max(fake_records.quotas.values()) == 1


def test_counters_that_cannot_be_written_refuse_the_receipt(caps: Settings, monkeypatch) -> None:
    def unavailable(*_args: object) -> None:
        raise gexc.ServiceUnavailable("Firestore is down")

    monkeypatch.setattr(records, "count_receipt", unavailable)
    with pytest.raises(faults.Transient):
        ratelimit.admit(caps, "1_1", 1, 1, NOW)
