"""Per-user rate limit (default 20 receipts per 10 minutes), kept in Cloud Storage.

A fixed-window counter object per chat, incremented by compare-and-swap on its generation so
that concurrent instances never lose a count. Functions keep no state between requests, so the
count lives where every instance sees it.
"""

from __future__ import annotations

import time

from receiptbot import layout
from receiptbot.cloud import storage
from receiptbot.config import Settings

ATTEMPTS = 5


def allow(s: Settings, chat_id: int, now: float | None = None) -> bool:
    """Count one receipt for this chat; False when the window's budget is spent."""
    window = int((now or time.time()) // s.rate_limit_window_seconds)
    name = layout.rate_limit_counter(chat_id, window)
    for _ in range(ATTEMPTS):
        if storage.create(s.work_bucket, name, b"1", "text/plain"):
            return True
        counter = storage.read_versioned(s.work_bucket, name)
        if counter is None:  # deleted since (a /delete): create it again
            continue
        count = int(counter.data or b"0")
        if count >= s.rate_limit_count:
            return False
        counted = storage.compare_and_swap(
            s.work_bucket, name, str(count + 1).encode(), "text/plain", counter.generation
        )
        if counted is not None:
            return True
        # None: another instance counted at the same moment, so read again
    return True  # under heavy contention, let the receipt in rather than refuse a paying user
