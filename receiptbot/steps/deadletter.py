"""The dead-letter step: a receipt that failed every attempt is kept, and its user told once."""

from __future__ import annotations

from typing import Any

from receiptbot import contract, layout
from receiptbot import logs as log
from receiptbot.bot.reply import already_answered, answer_once
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.telegram.api import bot

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event


def handle_event(data: Any) -> None:
    # Both dead-letter topics carry a ReceiptUploaded or its subclass: the common fields suffice.
    event = contract.parse(data, ReceiptUploaded, "deadletter")
    if event is None:
        return
    if already_answered(event):
        log.info("deadletter: a repeat of an answered receipt, nothing to do", receipt_id=event.receipt_id)
        return
    s = settings()
    keep(event)
    answered = answer_once(bot(), event, text("final_failure", event.language))
    log.error(
        "deadletter: receipt failed every attempt",
        event="receipt_dead_lettered",
        receipt_id=event.receipt_id,
        user_told=answered,
        kept_as=f"gs://{s.raw_bucket}/{layout.failed_event(event.receipt_id)}",
    )


def keep(event: ReceiptUploaded) -> None:
    """Copy the photo and the event under failed/, where `make replay` finds them."""
    s = settings()
    if not storage.copy(s.raw_bucket, event.raw_object, layout.failed_photo(event.receipt_id)):
        log.warning("deadletter: raw photo already gone", receipt_id=event.receipt_id)
    storage.write(
        s.raw_bucket,
        layout.failed_event(event.receipt_id),
        event.model_dump_json().encode(),
        "application/json",
    )
