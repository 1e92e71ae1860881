"""The message contract between the steps: small JSON on Pub/Sub, never image bytes."""

from __future__ import annotations

import base64
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class FiscalQR(BaseModel):
    """What a Russian cash receipt's fiscal QR code says (t=...&s=...&fn=...&i=...&fp=...&n=...)."""

    date: str  # YYYY-MM-DD
    time: str | None = None  # HH:MM
    total: str  # decimal as text, e.g. "1234.50"
    fn: str | None = None
    fd: str | None = None
    fp: str | None = None
    kind: int | None = None


class ReceiptUploaded(BaseModel):
    """Published by the webhook on `receipts-uploaded` once the photo is in the raw bucket."""

    model_config = ConfigDict(extra="ignore")

    receipt_id: str
    chat_id: int
    message_id: int
    user_id: int | None = None
    language: Literal["ru", "en"] = "en"
    status_message_id: int | None = None
    raw_object: str
    source: Literal["photo", "document"] = "photo"


class ReceiptPreprocessed(ReceiptUploaded):
    """Published by preprocess on `receipts-preprocessed` once the clean image is stored."""

    processed_object: str
    fiscal_qr: FiscalQR | None = None


def encode(event: BaseModel) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def decode_pubsub_data(cloud_event_data: dict[str, Any]) -> bytes:
    """The message payload of a Pub/Sub CloudEvent (push envelope converted by the framework)."""
    return base64.b64decode(cloud_event_data["message"]["data"])
