"""What the tests share: the shared receipt sets, the sample photo, and the local stack's helpers
(start a stack, read its buckets and topics, play a user, scan its logs for secrets)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.cloud import pubsub_v1, storage

from devstack.stack import BUCKETS, PROJECT, REPO, LocalStack, StackConfig, tap_name
from devstack.user import TelegramUser
from receiptbot.cloud import pubsub as receiptbot_pubsub
from receiptbot.cloud import records as receiptbot_records
from receiptbot.cloud import storage as receiptbot_storage

SHARED_RECEIPTS = REPO.parent / "shared" / "receipts" / "dev"
SAMPLE = REPO / "samples" / "lidl_receipt.jpg"
_chat_ids = itertools.count(10_000)


@dataclass(frozen=True)
class StartedStack:
    log_dir: Path
    secrets: tuple[str, ...]


# Every stack of the session, so the secret scan at the end reads all of their logs.
STARTED: list[StartedStack] = []


def stack_config(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs) -> StackConfig:
    # Short retry backoff so redelivery tests finish in seconds; pipeline.json keeps the cloud's.
    defaults = {"min_backoff_seconds": 1, "max_backoff_seconds": 2, "taps": True}
    return StackConfig(log_dir=tmp_path_factory.mktemp(f"logs-{name}"), **(defaults | kwargs))


@contextmanager
def running_stack(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs) -> Iterator[LocalStack]:
    """A started stack (see stack_config), registered for the secret scan; stopped on exit.

    While it runs, this process's clients point at its emulators (the stack sets their
    environment); receiptbot's cached clients are dropped so they follow, on entry and on exit.
    """
    with LocalStack(stack_config(tmp_path_factory, name, **kwargs)) as running:
        STARTED.append(
            StartedStack(running.log_dir, (running.bot_token, running.webhook_secret, running.gemini_key))
        )
        forget_clients()
        try:
            yield running
        finally:
            forget_clients()


def forget_clients() -> None:
    receiptbot_storage.client.cache_clear()
    receiptbot_pubsub.publisher.cache_clear()
    receiptbot_records.client.cache_clear()


def secrets_in_logs() -> list[str]:
    """`file: line` for every log line of every stack so far that holds one of that stack's secrets."""
    leaks = []
    for started in STARTED:
        for path in sorted(started.log_dir.glob("*.log")):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if any(secret in line for secret in started.secrets):
                    leaks.append(f"{path.name}:{number}")
    return leaks


def user_of(stack: LocalStack, language: str = "en", chat_id: int | None = None) -> TelegramUser:
    """A user of the stack, by default in a new chat, so tests never see each other's messages."""
    chat = next(_chat_ids) if chat_id is None else chat_id
    return TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, chat, language)


def stored(rid: str) -> dict | None:
    """The receipt's record in the Firestore emulator, as JSON (amounts as strings)."""
    record = receiptbot_records.get(rid)
    return None if record is None else record.model_dump(mode="json")


def objects(bucket: str, prefix: str = "") -> dict[str, bytes]:
    client = storage.Client(project=PROJECT)
    return {b.name: b.download_as_bytes() for b in client.bucket(BUCKETS[bucket]).list_blobs(prefix=prefix)}


def published(topic: str, receipt_id: str | None = None, wait: float = 2.0) -> list[dict]:
    """Events on a topic (read through its tap subscription), optionally for one receipt."""
    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(PROJECT, tap_name(topic))
    events = []
    try:
        response = subscriber.pull(subscription=path, max_messages=100, timeout=wait)
        if response.received_messages:
            subscriber.acknowledge(subscription=path, ack_ids=[m.ack_id for m in response.received_messages])
        events = [json.loads(m.message.data) for m in response.received_messages]
    except Exception as exc:  # DeadlineExceeded when nothing is there
        if "Deadline" not in type(exc).__name__:
            raise
    finally:
        subscriber.close()
    return [e for e in events if receipt_id is None or e["receipt_id"] == receipt_id]
