"""Cost caps: how many receipts a chat, a user and the whole bot may send to be read.

Every receipt the webhook takes is counted once, before its photo is downloaded, against:
- its chat's short window (RATE_LIMIT_COUNT per RATE_LIMIT_WINDOW_SECONDS): a brake on bursts;
- its sender's UTC day (USER_DAILY_RECEIPTS), so one account gains nothing by making groups;
- its chat's UTC day (CHAT_DAILY_RECEIPTS), so a group gains nothing by its many members;
- the whole bot's UTC day (GLOBAL_DAILY_RECEIPTS): the ceiling of the model bill, whoever sends.
  Every receipt of the bot counts there, so that counter is split over up to ``GLOBAL_SHARDS``
  documents (a Firestore document takes about one write a second), each with its share of the cap;
  a receipt's shard follows from its id. The bot stops at most a share's worth below the cap,
  never above it.

The counters are Firestore documents (records.count_receipt: server-side increments in one batch
with a mark per receipt, so a re-sent update is not counted twice). /delete does not touch them.
When they cannot be written the receipt is refused for now (``faults.Transient``: Telegram sends
it again later): the caps fail closed. Past a cap the user is told once per window.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from dataclasses import dataclass

from receiptbot import faults
from receiptbot.cloud import records
from receiptbot.cloud.records import Quota
from receiptbot.config import Settings

DAY_SECONDS = 24 * 3600
GLOBAL_SHARDS = 20


@dataclass(frozen=True)
class Refusal:
    """A receipt over a cap: which one (the text key of its notice), when its window ends, and the
    key of its one notice (a global cap is told to each user once, not to one user for all)."""

    text_key: str
    limit: int
    until: float  # unix seconds
    notice_key: str


@dataclass(frozen=True)
class Cap:
    text_key: str
    quota: Quota
    until: float


def caps(s: Settings, receipt_id: str, chat_id: int, user_id: int, now: float) -> list[Cap]:
    """The caps this receipt, of this sender in this chat, counts against now."""
    window = int(now // s.rate_limit_window_seconds)
    day = int(now // DAY_SECONDS)
    next_day = (day + 1) * DAY_SECONDS
    shards = min(GLOBAL_SHARDS, s.global_daily_receipts)
    shard = zlib.crc32(receipt_id.encode()) % shards
    return [
        Cap(
            "rate_limited",
            Quota(f"chat_{chat_id}_w{s.rate_limit_window_seconds}_{window}", s.rate_limit_count),
            (window + 1) * s.rate_limit_window_seconds,
        ),
        Cap("cap_user", Quota(f"user_{user_id}_day_{day}", s.user_daily_receipts), next_day),
        Cap("cap_chat", Quota(f"chat_{chat_id}_day_{day}", s.chat_daily_receipts), next_day),
        Cap("cap_global", Quota(f"all_day_{day}_{shard}", s.global_daily_receipts // shards), next_day),
    ]


def admit(
    s: Settings, receipt_id: str, chat_id: int, user_id: int, now: float | None = None
) -> Refusal | None:
    """Count this receipt against every cap. None: it may be read (now, or by an earlier delivery
    of its update). Raises ``faults.Transient`` when the counters cannot be written."""
    now = time.time() if now is None else now
    found = caps(s, receipt_id, chat_id, user_id, now)
    expires = dt.datetime.fromtimestamp(now + DAY_SECONDS + s.rate_limit_window_seconds, dt.UTC)
    try:
        spent = records.count_receipt(receipt_id, [cap.quota for cap in found], expires)
    except records.TRANSIENT_ERRORS as exc:
        raise faults.Transient(
            f"receipt {receipt_id}: the caps cannot be counted ({type(exc).__name__})"
        ) from exc
    if spent is None:
        return None
    cap = next(cap for cap in found if cap.quota == spent)
    notice = f"all_day_{int(now // DAY_SECONDS)}_{user_id}" if cap.text_key == "cap_global" else spent.key
    return Refusal(cap.text_key, spent.limit, cap.until, notice)
