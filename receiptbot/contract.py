"""The message contract between the steps: small JSON on Pub/Sub, never image bytes, and how it is
read out of a Pub/Sub CloudEvent."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from receiptbot import logs as log
from receiptbot.reading.fiscal import FiscalQR
from receiptbot.reading.payment_qr import PaymentQR


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
    sent_at: int | None = None  # the message's date (unix seconds): /delete drops what was sent before it
    file_unique_id: str | None = None  # Telegram's id of the file: the same photo sent again
    # A photo of an album (cloud/albums.py): its outcome goes into the album's one summary, and
    # status_message_id is None (the album's status message is the album's, not this photo's).
    album_id: str | None = None


class ReceiptPreprocessed(ReceiptUploaded):
    """Published by preprocess on `receipts-preprocessed` once the clean image is stored.

    No processed_object: the photo failed the quality gate but its fiscal QR code was read (a
    close-up of the code): extract answers from fiscal_qr alone."""

    processed_object: str | None = None
    fiscal_qr: FiscalQR | None = None
    payment_qr: PaymentQR | None = None  # a bill's ГОСТ Р 56042 payment QR code
    text_layer: str | None = None  # a PDF's own text (an e-receipt's: exact, no OCR needed)
    # The upload is a PDF: Gemini reads it itself from raw_object (its text and every page), the
    # offline reader reads text_layer or the rendered pages in processed_object.
    pdf: bool = False


class ExportRequested(BaseModel):
    """Published by the webhook on `exports-requested` for /export: the file is built off the
    webhook's request path, by the export function, and sent when ready."""

    model_config = ConfigDict(extra="ignore")

    chat_id: int
    user_id: int | None = None
    language: Literal["ru", "en"] = "en"
    month: str | None = None  # "YYYY-MM"; None: every receipt of the chat
    # XLSX opens right in every locale (docs/export.md); CSV on request (/export csv).
    file_format: Literal["xlsx", "csv"] = "xlsx"
    message_id: int  # the /export message, answered with the file


def encode(event: BaseModel) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def decode_pubsub_data(cloud_event_data: dict[str, Any]) -> bytes:
    """The message payload of a Pub/Sub CloudEvent (push envelope converted by the framework)."""
    return base64.b64decode(cloud_event_data["message"]["data"])


EventT = TypeVar("EventT", bound=BaseModel)


def parse(data: Any, model: type[EventT], step: str) -> EventT | None:
    """The event, or None for a message that can never be processed (logged, then acknowledged)."""
    try:
        return model.model_validate_json(decode_pubsub_data(data))
    except (
        KeyError,
        TypeError,
        ValueError,
        binascii.Error,
    ) as exc:  # pydantic's ValidationError is a ValueError
        log.error(f"{step}: dropped a malformed message", error=type(exc).__name__)
        return None
