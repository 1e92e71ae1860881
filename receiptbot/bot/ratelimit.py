"""Per-user rate limit (default 20 receipts per 10 minutes), kept in Cloud Storage.

A fixed-window counter object per chat, incremented with ``if_generation_match`` so that
concurrent instances never lose a count. Functions keep no state between requests, so the
count lives where every instance sees it.
"""

from __future__ import annotations

import time

from google.api_core import exceptions as gexc

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
        counter = storage.blob(s.work_bucket, name)
        try:  # the download also sets the generation the write below is conditional on
            count = int(counter.download_as_bytes(**storage.CALL) or b"0")
        except gexc.NotFound:
            continue
        if count >= s.rate_limit_count:
            return False
        try:
            counter.upload_from_string(
                str(count + 1),
                content_type="text/plain",
                if_generation_match=counter.generation,
                **storage.CALL,
            )
            return True
        except gexc.PreconditionFailed:
            continue  # another instance counted at the same moment: read again
    return True  # under heavy contention, let the receipt in rather than refuse a paying user
