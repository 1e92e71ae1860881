"""The dead-letter step's handler in process: the push of a receipt that failed every attempt, and
what was kept under failed/ and what its user was told."""

from __future__ import annotations

import pytest
from synthetic import encode, synthetic_scan

from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.cloud import claims, storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed, ReceiptUploaded
from receiptbot.steps import deadletter

PHOTO = encode(synthetic_scan())


@pytest.fixture(autouse=True)
def world(fake_storage, telegram) -> None:
    """Every dead-letter test runs against the fake storage and the Bot API stand-in."""


def failed_objects(fake_storage) -> dict[str, bytes]:
    return {
        name: data
        for name, data in fake_storage.objects(settings().raw_bucket).items()
        if name.startswith(layout.FAILED_PREFIX)
    }


@pytest.mark.parametrize("failed_in", ["preprocess", "extract"])
def test_the_user_is_told_once_and_the_receipt_is_kept(
    fake_storage, telegram, uploaded, pubsub_message, failed_in: str
) -> None:
    event = uploaded(PHOTO)
    # Each step's dead-letter topic carries the event that step was given.
    dead = (
        event
        if failed_in == "preprocess"
        else ReceiptPreprocessed(**event.model_dump(), processed_object="p")
    )

    deadletter.handle_event(pubsub_message(dead))
    deadletter.handle_event(pubsub_message(dead))  # the push is at least once here too

    (notice,) = telegram.chat(event.chat_id)
    assert notice["message_id"] == event.status_message_id
    assert notice["text"] == text("final_failure", "en")
    assert [c["method"] for c in telegram.calls].count("editMessageText") == 1
    kept = failed_objects(fake_storage)
    assert set(kept) == {layout.failed_photo(event.receipt_id), layout.failed_event(event.receipt_id)}
    assert kept[layout.failed_photo(event.receipt_id)] == PHOTO
    assert (
        ReceiptUploaded.model_validate_json(kept[layout.failed_event(event.receipt_id)]) == event
    )  # replay's
    assert storage.exists(settings().raw_bucket, event.raw_object)  # the original stays until lifecycle


def test_a_receipt_that_was_answered_is_left_alone(fake_storage, telegram, uploaded, pubsub_message) -> None:
    event = uploaded(PHOTO)
    s = settings()
    _, answer = claims.claim(s.work_bucket, layout.claim("answer", event.receipt_id), s.claim_timeout_seconds)
    answer.complete()  # extract answered, and its acknowledgement was lost after the last attempt
    calls_before = len(telegram.calls)

    deadletter.handle_event(pubsub_message(event))

    assert len(telegram.calls) == calls_before
    assert failed_objects(fake_storage) == {}


def test_a_receipt_whose_photo_is_gone_is_still_told_and_its_event_kept(
    fake_storage, telegram, uploaded, pubsub_message
) -> None:
    event = uploaded(PHOTO)
    storage.delete(settings().raw_bucket, event.raw_object)

    deadletter.handle_event(pubsub_message(event))

    assert [m["text"] for m in telegram.chat(event.chat_id)] == [text("final_failure", "en")]
    assert list(failed_objects(fake_storage)) == [layout.failed_event(event.receipt_id)]
