"""The extract step's handler in process: a ReceiptPreprocessed push in, the real google-genai SDK
against the Gemini stand-in, and what landed in the records and in the chat."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest
from google.genai import errors
from synthetic import encode, synthetic_scan

from devstack.gemini_standin import GeminiStandIn
from receiptbot import faults, layout
from receiptbot.bot.texts import text
from receiptbot.cloud import claims, storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed
from receiptbot.steps import extract

GEMINI_KEY = "unit-test-gemini-key"


@pytest.fixture
def gemini(environ, serve) -> GeminiStandIn:
    """The generateContent stand-in, the settings pointing at it as devstack/stack.py's Gemini stack does."""
    standin = GeminiStandIn(api_key=GEMINI_KEY)
    url = serve("gemini", standin.app)
    environ(EXTRACT_ENGINE="gemini", GEMINI_API_KEY=GEMINI_KEY, GEMINI_BASE_URL=url)
    return standin


@pytest.fixture(autouse=True)
def world(fake_storage, telegram, gemini) -> None:
    """Every extract test runs against the fake storage, the Bot API stand-in and the Gemini stand-in."""


@pytest.fixture
def preprocessed(uploaded) -> Callable[[], ReceiptPreprocessed]:
    """`preprocessed()`: what preprocess leaves for a receipt (the clean image) and the event it publishes."""

    def make() -> ReceiptPreprocessed:
        image = encode(synthetic_scan())
        event = uploaded(image)
        name = layout.processed_image(event.receipt_id)
        assert storage.create(settings().work_bucket, name, image, "image/jpeg")
        return ReceiptPreprocessed(**event.model_dump(), processed_object=name)

    return make


def answer_claim(event: ReceiptPreprocessed) -> str:
    return layout.claim("answer", event.receipt_id)


def result_of(fake_records, event: ReceiptPreprocessed) -> dict | None:
    """The receipt's record as stored (the Firestore document)."""
    return fake_records.documents.get(event.receipt_id)


def test_a_receipt_is_read_stored_and_answered_in_the_status_message(
    fake_storage, fake_records, telegram, gemini, preprocessed, pubsub_message
) -> None:
    event = preprocessed()

    extract.handle_event(pubsub_message(event))

    (card,) = telegram.chat(event.chat_id)
    assert card["message_id"] == event.status_message_id and card["edits"] == [text("received", "en")]
    assert card["parse_mode"] == "HTML" and "LIDL" in card["text"] and "15.69" in card["text"]
    result = result_of(fake_records, event)
    assert result is not None and result["engine"] == f"gemini:{settings().gemini_model}"
    assert (result["receipt"]["total"], result["receipt"]["date"]) == ("15.69", "2020-04-07")
    (sent,) = gemini.requests
    assert sent["api_key"] == GEMINI_KEY
    image = sent["body"]["contents"][0]["parts"][0]["inlineData"]  # as google-genai sends it, URL-safe
    assert image["mime_type"] == "image/jpeg"
    assert base64.urlsafe_b64decode(image["data"]) == storage.read(
        settings().work_bucket, event.processed_object
    )
    assert claims.is_done(settings().work_bucket, answer_claim(event))


def test_a_second_delivery_is_not_answered_again(
    fake_storage, fake_records, telegram, gemini, preprocessed, pubsub_message
) -> None:
    event = preprocessed()
    extract.handle_event(pubsub_message(event))
    read_at = result_of(fake_records, event)

    extract.handle_event(pubsub_message(event))

    assert len(gemini.requests) == 1  # not even read again
    assert [c["method"] for c in telegram.calls].count("editMessageText") == 1
    assert len(telegram.chat(event.chat_id)) == 1
    assert result_of(fake_records, event) == read_at


def test_a_receipt_another_live_instance_is_answering_is_busy(
    telegram, gemini, preprocessed, pubsub_message
) -> None:
    event = preprocessed()
    s = settings()
    state, _ = claims.claim(s.work_bucket, answer_claim(event), s.claim_timeout_seconds)
    assert state is claims.ClaimState.TAKEN  # the other instance's

    with pytest.raises(faults.Busy):  # a quiet 503: delivered again once the claim is settled
        extract.handle_event(pubsub_message(event))
    assert gemini.requests == []
    assert [m["text"] for m in telegram.chat(event.chat_id)] == [text("received", "en")]
    assert storage.exists(s.work_bucket, answer_claim(event))  # still the other instance's


def test_a_claim_left_by_a_crashed_instance_is_taken_over_and_answered(
    telegram, preprocessed, pubsub_message
) -> None:
    event = preprocessed()
    s = settings()
    stale = {"state": "pending", "at": time.time() - s.claim_timeout_seconds - 1}
    storage.create(s.work_bucket, answer_claim(event), json.dumps(stale).encode(), "application/json")

    extract.handle_event(pubsub_message(event))

    assert "15.69" in telegram.chat(event.chat_id)[0]["text"]
    assert claims.is_done(s.work_bucket, answer_claim(event))


def test_gemini_unavailable_releases_the_claim_so_a_redelivery_answers(
    fake_storage, fake_records, telegram, gemini, preprocessed, pubsub_message
) -> None:
    event = preprocessed()
    gemini.fail_next = [503]

    # Raised as the SDK raises it (reading/gemini.py): the entry point answers 500, Pub/Sub redelivers.
    with pytest.raises(errors.ServerError):
        extract.handle_event(pubsub_message(event))

    s = settings()
    assert not storage.exists(s.work_bucket, answer_claim(event))  # released: no wait for the timeout
    assert result_of(fake_records, event) is None
    (status,) = telegram.chat(event.chat_id)
    assert status["text"] == text("temporary_failure", "en")

    extract.handle_event(pubsub_message(event))  # the redelivery, Gemini back

    (card,) = telegram.chat(event.chat_id)
    assert card["message_id"] == event.status_message_id and "15.69" in card["text"]
    assert result_of(fake_records, event) is not None
    assert claims.is_done(s.work_bucket, answer_claim(event))


def test_a_request_gemini_refuses_for_good_is_answered_in_plain_words(
    fake_storage, fake_records, telegram, gemini, preprocessed, pubsub_message
) -> None:
    event = preprocessed()
    gemini.fail_next = [400]

    extract.handle_event(pubsub_message(event))  # returns: acknowledged, never retried

    (answer,) = telegram.chat(event.chat_id)
    assert answer["text"] == text("not_a_receipt", "en")
    assert result_of(fake_records, event) is None
    assert claims.is_done(settings().work_bucket, answer_claim(event))


def test_an_answer_that_comes_minutes_late_is_a_new_message(
    fake_storage, fake_records, telegram, preprocessed, pubsub_message
) -> None:
    """Telegram notifies of new messages, not of edits: a late card (after retries, a replay) is sent anew."""
    event = preprocessed().model_copy(update={"sent_at": int(time.time()) - 10 * 60})

    extract.handle_event(pubsub_message(event))

    (card,) = telegram.chat(event.chat_id)
    assert card["message_id"] != event.status_message_id and card["reply_to"] == event.message_id
    assert "15.69" in card["text"] and card["edits"] == []
    assert [m.message_id for m in telegram.deleted] == [event.status_message_id]
    assert result_of(fake_records, event)["card_message_id"] == card["message_id"]  # its buttons edit it


def test_an_answer_within_the_minute_edits_the_status_message(
    fake_storage, fake_records, telegram, preprocessed, pubsub_message
) -> None:
    event = preprocessed().model_copy(update={"sent_at": int(time.time()) - 20})

    extract.handle_event(pubsub_message(event))

    (card,) = telegram.chat(event.chat_id)
    assert card["message_id"] == event.status_message_id and telegram.deleted == []
