"""The preprocess step's handler in process: a ReceiptUploaded push in, OpenCV on a real receipt
image, and what landed in the work bucket, on Pub/Sub and in the chat."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest
from helpers import SAMPLE
from synthetic import FISCAL, encode, synthetic_scan

from receiptbot import layout
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed
from receiptbot.reading.fiscal import parse_fiscal_qr
from receiptbot.steps import preprocess


@pytest.fixture(autouse=True)
def world(fake_storage, published, telegram) -> None:
    """Every preprocess test runs against the fake storage, the Pub/Sub capture and the Bot API stand-in."""


def calls(telegram, method: str) -> int:
    return [c["method"] for c in telegram.calls].count(method)


@pytest.mark.parametrize(
    ("photo", "fiscal_qr"),
    [(encode(synthetic_scan(FISCAL)), parse_fiscal_qr(FISCAL)), (SAMPLE.read_bytes(), None)],
    ids=["synthetic-scan-with-qr", "lidl-photo"],
)
def test_a_photo_is_prepared_stored_and_published(
    published, telegram, uploaded, pubsub_message, photo: bytes, fiscal_qr
) -> None:
    event = uploaded(photo)

    preprocess.handle_event(pubsub_message(event))

    s, name = settings(), layout.processed_image(event.receipt_id)
    stored = storage.find(s.work_bucket, name)
    assert stored is not None and stored.content_type == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(storage.read(s.work_bucket, name), np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None and image.ndim == 2  # grayscale, as the readers get it
    expected = ReceiptPreprocessed(**event.model_dump(), processed_object=name, fiscal_qr=fiscal_qr)
    assert [(p.topic, p.event) for p in published] == [(s.topic_preprocessed, expected)]
    assert calls(telegram, "sendChatAction") == 1  # "typing…" while it is read
    (status,) = telegram.chat(event.chat_id)
    assert status["text"] == text("received", "en")  # the answer is extract's to give


def test_a_file_that_is_not_an_image_is_answered_once_and_goes_no_further(
    published, telegram, uploaded, pubsub_message
) -> None:
    event = uploaded(b"PK\x03\x04 a ZIP archive, not a photo")

    preprocess.handle_event(pubsub_message(event))
    preprocess.handle_event(pubsub_message(event))  # redelivered: the answer claim says it was answered

    (answer,) = telegram.chat(event.chat_id)
    assert answer["message_id"] == event.status_message_id  # the status message, edited
    assert answer["text"] == text("not_an_image", "en")
    assert calls(telegram, "editMessageText") == 1
    assert published == []
    assert storage.find(settings().work_bucket, layout.processed_image(event.receipt_id)) is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"message": {"data": "not base64 at all!"}},
        {"message": {"data": base64.b64encode(b"not json").decode()}},
        {"message": {"data": base64.b64encode(b'{"receipt_id": "1_2"}').decode()}},  # fields missing
    ],
    ids=["no-message", "not-base64", "not-json", "not-the-contract"],
)
def test_a_malformed_message_is_dropped(fake_storage, published, telegram, data: dict) -> None:
    assert preprocess.handle_event(data) is None  # returns: the entry point acknowledges it
    assert published == [] and telegram.calls == []
    assert fake_storage.objects(settings().work_bucket) == {}


def test_a_redelivery_keeps_the_first_image_and_publishes_the_same_event(
    published, uploaded, pubsub_message
) -> None:
    event = uploaded(encode(synthetic_scan()))
    s, name = settings(), layout.processed_image(event.receipt_id)

    preprocess.handle_event(pubsub_message(event))
    first = storage.find(s.work_bucket, name)
    preprocess.handle_event(pubsub_message(event))

    again = storage.find(s.work_bucket, name)
    assert first is not None and again is not None
    assert again.generation == first.generation  # create-only: the repeat wrote nothing
    assert len(published) == 2 and published[0] == published[1]  # extract's answer claim drops it


def test_a_raw_photo_that_is_gone_is_dropped(fake_storage, published, uploaded, pubsub_message) -> None:
    event = uploaded(encode(synthetic_scan()))
    storage.delete(settings().raw_bucket, event.raw_object)  # /delete, or lifecycle deletion

    preprocess.handle_event(pubsub_message(event))

    assert published == []
    assert fake_storage.objects(settings().work_bucket) == {}
