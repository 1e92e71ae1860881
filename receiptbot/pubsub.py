"""Publishing the next step's event (PUBSUB_EMULATOR_HOST points it at the emulator locally)."""

from __future__ import annotations

from functools import lru_cache

from google.cloud import pubsub_v1
from pydantic import BaseModel

from receiptbot.contract import encode

PUBLISH_TIMEOUT_SECONDS = 30


@lru_cache(maxsize=1)
def publisher() -> pubsub_v1.PublisherClient:
    return pubsub_v1.PublisherClient()


def publish(project: str, topic: str, event: BaseModel, **attributes: str) -> str:
    """Publish and wait for the server's ack, so a failure surfaces as an exception here."""
    future = publisher().publish(publisher().topic_path(project, topic), encode(event), **attributes)
    return future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
