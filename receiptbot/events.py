"""Reading the contract out of a Pub/Sub CloudEvent."""

from __future__ import annotations

import binascii
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from receiptbot import log
from receiptbot.contract import decode_pubsub_data

EventT = TypeVar("EventT", bound=BaseModel)


def parse(data: Any, model: type[EventT], step: str) -> EventT | None:
    """The event, or None for a message that can never be processed (logged, then acknowledged)."""
    try:
        return model.model_validate_json(decode_pubsub_data(data))
    except (KeyError, TypeError, ValueError, binascii.Error, ValidationError) as exc:
        log.error(f"{step}: dropped a malformed message", error=type(exc).__name__)
        return None
