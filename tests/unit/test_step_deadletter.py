"""The dead-letter step's handler in process: the push of a receipt (or of an /export) that failed
every attempt, and what was kept under failed/ and what its user was told."""

from __future__ import annotations

import pytest
from synthetic import encode, synthetic_scan

from receiptbot import faults, layout
from receiptbot.bot.export_reply import take_export_claim
from receiptbot.bot.texts import text
from receiptbot.cloud import claims, storage
from receiptbot.config import settings
from receiptbot.contract import ExportRequested, ReceiptPreprocessed, ReceiptUploaded
from receiptbot.steps import deadletter

PHOTO = encode(synthetic_scan())
EXPORT_CHAT_ID = 5151


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

    # A new message replying to the photo (an edit would not notify), the status message withdrawn.
    (notice,) = telegram.chat(event.chat_id)
    assert notice["message_id"] != event.status_message_id and notice["reply_to"] == event.message_id
    assert notice["text"] == text("final_failure", "en")
    assert [m.message_id for m in telegram.deleted] == [event.status_message_id]
    assert [c["method"] for c in telegram.calls].count("sendMessage") == 2  # the status, the notice
    kept = failed_objects(fake_storage)
    assert set(kept) == {layout.failed_photo(event.receipt_id), layout.failed_event(event.receipt_id)}
    assert kept[layout.failed_photo(event.receipt_id)] == PHOTO
    # replay's: its answer takes the notice's place
    replayed = ReceiptUploaded.model_validate_json(kept[layout.failed_event(event.receipt_id)])
    assert replayed == event.model_copy(update={"status_message_id": notice["message_id"]})
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


def export_request(message_id: int = 77, month: str | None = "2024-01") -> ExportRequested:
    return ExportRequested(
        chat_id=EXPORT_CHAT_ID, user_id=EXPORT_CHAT_ID, language="ru", month=month, message_id=message_id
    )


def test_a_failed_export_is_told_once_and_is_not_taken_for_a_receipt(
    fake_storage, telegram, pubsub_message
) -> None:
    request = export_request()

    deadletter.handle_event(pubsub_message(request))
    deadletter.handle_event(pubsub_message(request))  # the push is at least once here too

    (notice,) = telegram.chat(EXPORT_CHAT_ID)
    assert (notice["text"], notice["reply_to"]) == (text("export_failed", "ru"), request.message_id)
    assert failed_objects(fake_storage) == {}  # nothing kept for make replay: the user can ask again
    claim = layout.claim("export", layout.receipt_id(EXPORT_CHAT_ID, request.message_id))
    assert claims.is_done(settings().work_bucket, claim)  # a late export attempt sends nothing now


def test_an_export_whose_file_was_sent_is_left_alone(fake_storage, telegram, pubsub_message) -> None:
    request = export_request(month=None)
    file_sent = take_export_claim(request)
    assert file_sent is not None
    file_sent.complete()  # the export step sent the file; its acknowledgement was lost

    deadletter.handle_event(pubsub_message(request))

    assert telegram.chat(EXPORT_CHAT_ID) == []


def test_a_failed_export_waits_while_an_export_attempt_still_runs(
    fake_storage, telegram, pubsub_message
) -> None:
    request = export_request()
    assert take_export_claim(request) is not None  # held by an attempt that is still building the file

    with pytest.raises(faults.Busy):
        deadletter.handle_event(pubsub_message(request))
    assert telegram.chat(EXPORT_CHAT_ID) == []
