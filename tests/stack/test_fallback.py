"""The offline fallback: Gemini failing on every delivery attempt, the user still gets a reading.

Earlier attempts raise, so Pub/Sub delivers the receipt again and Gemini is asked again; on the
last attempt the offline engine answers, the card says so, and the message is acknowledged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from helpers import SAMPLE, objects, published, stored

from devstack.stack import PIPELINE, LocalStack
from devstack.user import INTERIM_TEXTS, TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.steps import extract

QUIET_SECONDS = 4  # past the stack's 1-2 s redelivery backoff and the work: a second answer would show


@pytest.fixture
def gemini_down(gemini_stack: LocalStack) -> Iterator[LocalStack]:
    """Every generateContent call gets a 500 for the test; the shared stack is healthy again after it."""
    gemini_stack.gemini.requests.clear()
    gemini_stack.gemini.always_fail = 500
    yield gemini_stack
    gemini_stack.gemini.always_fail = None


def test_the_last_attempt_is_the_one_pipeline_json_dead_letters_after() -> None:
    assert PIPELINE["subscription_defaults"]["max_delivery_attempts"] == extract.LAST_DELIVERY_ATTEMPT


def test_gemini_failing_on_every_attempt_gets_the_offline_reading_once(
    gemini_down: LocalStack, gemini_user: TelegramUser
) -> None:
    started = time.monotonic()
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    answer = gemini_user.wait_for_answer(sent.message_id, timeout=90)
    took = time.monotonic() - started
    rid = layout.receipt_id(gemini_user.chat_id, sent.message_id)

    # Gemini was asked once per delivery, and the last delivery was answered offline, marked.
    assert len(gemini_down.gemini.requests) == extract.LAST_DELIVERY_ATTEMPT
    assert TEXTS["card_read_offline"]["en"] in answer["text"]
    assert "15.69" in answer["text"]  # the sample's total, as the offline engine reads it
    assert stored(rid)["engine"] == "tesseract"

    # Acknowledged: no redelivery, nothing dead-lettered or kept for replay, one answer only.
    time.sleep(QUIET_SECONDS)
    assert len(gemini_down.gemini.requests) == extract.LAST_DELIVERY_ATTEMPT
    assert [e for e in published("receipts-preprocessed-dead-letter", wait=2) if e["receipt_id"] == rid] == []
    assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}
    (message,) = gemini_user.chat()
    assert [t for t in [*message["edits"], message["text"]] if t not in INTERIM_TEXTS] == [answer["text"]]
    print(f"\n{extract.LAST_DELIVERY_ATTEMPT} attempts, offline answer after {took:.1f} s")
