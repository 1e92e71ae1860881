"""Fixtures of the unit layer (no emulator, no subprocess).

The steps' tests call each step's handler in this process, against the world it talks to: Cloud
Storage in memory (tests/fakes.py), Pub/Sub publishes captured, and the local stack's Bot API
stand-in served on a thread of this process.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pytest
from fakes import FakeRecords, FakeStorageClient
from flask import Flask
from pydantic import BaseModel

from devstack.servers import BackgroundServer
from devstack.telegram_standin import TelegramStandIn
from devstack.user import TelegramUser
from receiptbot import contract, layout
from receiptbot.bot.texts import text
from receiptbot.cloud import pubsub, storage
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.telegram.api import bot

TOKEN = "123456:unit-test-bot-token"
WEBHOOK_SECRET = "unit-test-webhook-secret"
CHAT_ID = 4242


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    """create_app configures the process's logging (ff's dictConfig, then main.py's log.setup()):
    give the next test the logging this one found."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)
    settings.cache_clear()


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """`environ(NAME=value, ...)` sets the steps' variables and returns the settings they now read:
    the cached settings and the Bot API client made from them are dropped, now and after the test."""

    def configure(**variables: str) -> Settings:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        forget_cached_clients()
        return settings()

    yield configure
    forget_cached_clients()


def forget_cached_clients() -> None:
    settings.cache_clear()
    bot.cache_clear()


@pytest.fixture
def fake_storage(monkeypatch: pytest.MonkeyPatch) -> FakeStorageClient:
    """Every bucket, in memory, behind receiptbot.cloud.storage."""
    fake = FakeStorageClient()
    monkeypatch.setattr(storage, "client", lambda: fake)
    return fake


@pytest.fixture(autouse=True)
def fake_records(monkeypatch: pytest.MonkeyPatch) -> FakeRecords:
    """The receipt records, in memory, behind receiptbot.cloud.records (every unit test: none may
    reach for a Firestore that the unit layer does not start)."""
    fake = FakeRecords()
    fake.install(monkeypatch)
    return fake


@dataclass(frozen=True)
class Published:
    topic: str
    event: BaseModel


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Published]:
    """Every event the steps publish, in order (the message is encoded as Pub/Sub would carry it)."""
    sent: list[Published] = []

    def publish(project: str, topic: str, event: BaseModel, **attributes: str) -> str:
        type(event).model_validate_json(contract.encode(event))  # what goes on the wire reads back
        sent.append(Published(topic, event))
        return str(len(sent))

    monkeypatch.setattr(pubsub, "publish", publish)
    return sent


class CurrentApp:
    """A WSGI app that passes each request to whichever stand-in the running test made."""

    def __init__(self) -> None:
        self.app: Flask | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        assert self.app is not None, "no stand-in is being served"
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[str, Flask], str]]:
    """`serve(name, app)`: the URL of this session's server `name`, which serves `app` from now on.

    One server per name for the whole session, each test's stand-in swapped in: stopping a server
    waits out its half-second poll, which per test would be most of the unit layer's time.
    """
    servers: dict[str, tuple[BackgroundServer, CurrentApp]] = {}

    def serving(name: str, app: Flask) -> str:
        if name not in servers:
            current = CurrentApp()
            servers[name] = (BackgroundServer(current, 0).start(), current)
        server, current = servers[name]
        current.app = app
        return server.url

    yield serving
    for server, _ in servers.values():
        server.stop()


@pytest.fixture
def telegram(environ: Callable[..., Settings], serve: Callable[[str, Flask], str]) -> TelegramStandIn:
    """The Bot API stand-in of the local stack, served on a thread, the steps' settings pointing at it."""
    standin = TelegramStandIn(TOKEN)
    url = serve("telegram", standin.app)
    environ(TELEGRAM_API_URL=url, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    return standin


@pytest.fixture
def user(telegram: TelegramStandIn) -> TelegramUser:
    """A Telegram user of the stand-in, for the updates it would send (posted by the tests themselves)."""
    return TelegramUser("", settings().telegram_api_url, WEBHOOK_SECRET, CHAT_ID)


@pytest.fixture
def uploaded(
    fake_storage: FakeStorageClient, telegram: TelegramStandIn
) -> Callable[[bytes], ReceiptUploaded]:
    """`uploaded(photo)`: what the webhook leaves for a photo (the raw object, with the id of the
    "reading your receipt…" message sent in the chat) and the event it publishes."""
    message_ids = iter(range(1, 1000))

    def upload(photo: bytes) -> ReceiptUploaded:
        s, message_id = settings(), next(message_ids)
        rid = layout.receipt_id(CHAT_ID, message_id)
        status = bot().send_message(CHAT_ID, text("received", "en"), reply_to=message_id)["message_id"]
        metadata = {layout.STATUS_METADATA_KEY: str(status)}
        assert storage.create(
            s.raw_bucket, layout.raw_photo(rid), photo, "application/octet-stream", metadata
        )
        return ReceiptUploaded(
            receipt_id=rid,
            chat_id=CHAT_ID,
            message_id=message_id,
            user_id=CHAT_ID,
            status_message_id=status,
            raw_object=layout.raw_photo(rid),
        )

    return upload


@pytest.fixture
def pubsub_message() -> Callable[[BaseModel], dict]:
    """`pubsub_message(event)`: the CloudEvent data functions-framework hands a step for a Pub/Sub
    push of this event (the push envelope, as devstack/relay.py and the cloud send it)."""

    def message(event: BaseModel) -> dict:
        return {
            "message": {
                "data": base64.b64encode(contract.encode(event)).decode(),
                "attributes": {},
                "messageId": "1",
                "publishTime": "2024-01-01T00:00:00Z",
            },
            "subscription": "projects/local-project/subscriptions/unit-test",
        }

    return message
