"""The webhook step's handler in process: a Telegram update in (a real werkzeug request, as
functions-framework hands it over), and what landed in storage, on Pub/Sub and in the chat."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from flask import Request
from helpers import SAMPLE
from werkzeug.test import EnvironBuilder

from receiptbot import faults, layout
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.steps import webhook
from receiptbot.steps.webhook import SECRET_HEADER

PHOTO = SAMPLE.read_bytes()


@pytest.fixture(autouse=True)
def world(fake_storage, published, telegram) -> None:
    """Every webhook test runs against the fake storage, the Pub/Sub capture and the Bot API stand-in."""


def request(body: dict[str, Any] | bytes, secret: str | None = None, chunked: bool = False) -> Request:
    """A POST from Telegram; `chunked` leaves out Content-Length, as a chunked transfer does."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    secret = settings().webhook_secret.get_secret_value() if secret is None else secret
    environ = EnvironBuilder(
        method="POST", data=data, content_type="application/json", headers={SECRET_HEADER: secret}
    ).get_environ()
    if chunked:
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input_terminated"] = True  # what the server says of a chunked body
    return Request(environ)


def bucket_objects(fake_storage) -> dict[str, bytes]:
    s = settings()
    return fake_storage.objects(s.raw_bucket) | fake_storage.objects(s.work_bucket)


def texts(telegram, user) -> list[str]:
    return [m["text"] for m in telegram.chat(user.chat_id)]


def test_a_photo_is_stored_published_and_acknowledged(published, telegram, user) -> None:
    update = user.photo_update(PHOTO)
    message_id = update["message"]["message_id"]

    assert webhook.handle_request(request(update)) == ("ok", 200)

    s, rid = settings(), layout.receipt_id(user.chat_id, message_id)
    (status,) = telegram.chat(user.chat_id)
    assert status["text"] == text("received", "en") and status["reply_to"] == message_id
    assert storage.read(s.raw_bucket, layout.raw_photo(rid)) == PHOTO  # the largest size, not the thumbnail
    raw = storage.find(s.raw_bucket, layout.raw_photo(rid))
    assert raw is not None and raw.metadata == {layout.STATUS_METADATA_KEY: str(status["message_id"])}
    assert [(p.topic, p.event) for p in published] == [
        (
            s.topic_uploaded,
            ReceiptUploaded(
                receipt_id=rid,
                chat_id=user.chat_id,
                message_id=message_id,
                user_id=user.chat_id,
                language="en",
                status_message_id=status["message_id"],
                raw_object=layout.raw_photo(rid),
                source="photo",
                sent_at=update["message"]["date"],
                file_unique_id=update["message"]["photo"][-1]["file_unique_id"],
            ),
        )
    ]


@pytest.mark.parametrize("secret", ["wrong-secret", ""], ids=["wrong", "missing"])
def test_a_request_without_the_secret_is_refused_and_changes_nothing(
    fake_storage, published, telegram, user, secret: str
) -> None:
    assert webhook.handle_request(request(user.photo_update(PHOTO), secret=secret)) == ("unauthorized", 401)
    assert bucket_objects(fake_storage) == {}  # not even a rate-limit count
    assert published == [] and texts(telegram, user) == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"update_id": "7"}', b'{"message": {}}'],
    ids=["not-json", "not-an-object", "update-id-a-string", "no-update-id"],
)
def test_a_malformed_body_is_a_400(fake_storage, published, body: bytes) -> None:
    status = webhook.handle_request(request(body))[1]
    assert status == 400
    assert fake_storage.objects(settings().raw_bucket) == {} and published == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_body_is_a_413(environ, fake_storage, published, chunked: bool) -> None:
    limit = environ(MAX_BODY_BYTES="1000").max_body_bytes
    body = json.dumps({"update_id": 1, "padding": "x" * limit}).encode()
    assert webhook.handle_request(request(body, chunked=chunked)) == ("request body too large", 413)
    assert bucket_objects(fake_storage) == {} and published == []


@pytest.mark.parametrize(
    ("content", "told"),
    [
        ({"edited_message": {"message_id": 5, "chat": {"id": 1}, "text": "x"}}, []),  # not subscribed to
        ({"message": {"message_id": "5", "chat": {"id": 1}}}, []),  # a field of the wrong type
        ({"message": {"message_id": 5, "chat": {"id": 1}, "sticker": {"file_id": "s"}}}, ["unsupported"]),
    ],
    ids=["edited-message", "wrong-type", "sticker"],
)
def test_an_update_the_bot_does_not_read_is_acknowledged(
    fake_storage, published, telegram, content: dict, told: list[str]
) -> None:
    update = {"update_id": 1, **content}
    assert webhook.handle_request(request(update)) == ("ignored", 200)
    assert [m["text"] for m in telegram.chat(1)] == [text(key, "en") for key in told]
    assert bucket_objects(fake_storage) == {} and published == []


def test_a_resent_update_stores_one_photo_and_sends_one_status_message(
    fake_storage, published, telegram, user
) -> None:
    update = user.photo_update(PHOTO)
    assert webhook.handle_request(request(update)) == ("ok", 200)
    assert webhook.handle_request(request(update)) == ("ok", 200)  # Telegram missed our 200

    assert list(fake_storage.objects(settings().raw_bucket)) == [
        layout.raw_photo(layout.receipt_id(user.chat_id, update["message"]["message_id"]))
    ]
    assert texts(telegram, user) == [text("received", "en")]
    assert [c["method"] for c in telegram.calls].count("getFile") == 1  # the repeat downloads nothing
    # The repeat publishes again (the first publish may be what failed), the very same event:
    # preprocess's create-only write and extract's answer claim make it a no-op downstream.
    first, again = published
    assert first == again


def test_a_copy_that_stored_the_photo_first_keeps_its_status_message(
    published, telegram, user, monkeypatch
) -> None:
    update = user.photo_update(PHOTO)
    webhook.handle_request(request(update))  # this copy stores the photo with its status message
    real_find, looked = storage.find, []

    def missing_at_first(bucket: str, name: str) -> storage.Blob | None:
        looked.append(name)
        return None if len(looked) == 1 else real_find(bucket, name)

    # A copy sent at the same moment looked before the first one had stored the photo.
    monkeypatch.setattr(storage, "find", missing_at_first)
    assert webhook.handle_request(request(update)) == ("ok", 200)

    (kept,) = telegram.chat(user.chat_id)
    assert [m.text for m in telegram.deleted] == [text("received", "en")]  # the late copy's, withdrawn
    assert len(published) == 2 and {p.event.status_message_id for p in published} == {kept["message_id"]}


def test_a_chat_over_its_rate_limit_is_told_and_nothing_is_stored(environ, published, telegram, user) -> None:
    s = environ(RATE_LIMIT_COUNT="1", RATE_LIMIT_WINDOW_SECONDS="600")
    webhook.handle_request(request(user.photo_update(PHOTO)))
    over = user.photo_update(PHOTO)

    assert webhook.handle_request(request(over)) == ("ignored", 200)

    rid = layout.receipt_id(user.chat_id, over["message"]["message_id"])
    assert storage.find(s.raw_bucket, layout.raw_photo(rid)) is None
    assert len(published) == 1
    refusal = telegram.chat(user.chat_id)[-1]
    window_end = time.strftime("%H:%M", time.gmtime((time.time() // 600 + 1) * 600))
    assert refusal["text"] == text("rate_limited", "en", limit=1, minutes="10 minutes", until=window_end)
    assert refusal["reply_to"] == over["message"]["message_id"]
    # Told once per window: the next receipt over the limit is refused without a word.
    webhook.handle_request(request(user.photo_update(PHOTO)))
    assert telegram.chat(user.chat_id)[-1] == refusal


def test_telegram_unavailable_on_get_file_is_transient_and_the_resend_goes_through(
    fake_storage, published, telegram, user
) -> None:
    update = user.photo_update(PHOTO)
    telegram.failures.append(
        {"method": "getFile", "error_code": 502, "description": "Bad Gateway", "count": 1}
    )

    with pytest.raises(faults.Transient):  # the entry point answers 503: Telegram sends it again
        webhook.handle_request(request(update))
    assert fake_storage.objects(settings().raw_bucket) == {}
    assert published == [] and texts(telegram, user) == []

    assert webhook.handle_request(request(update)) == ("ok", 200)
    assert len(published) == 1


def test_a_file_telegram_refuses_is_answered_as_not_an_image(fake_storage, published, telegram, user) -> None:
    update = user.photo_update(PHOTO)
    telegram.files.clear()  # getFile: "Bad Request: invalid file_id"

    assert webhook.handle_request(request(update)) == ("ignored", 200)
    assert texts(telegram, user) == [text("not_an_image", "en")]
    assert fake_storage.objects(settings().raw_bucket) == {} and published == []
