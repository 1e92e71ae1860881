"""The dead-letter step: a receipt that failed every attempt is kept, and its user told once; an
/export that failed every attempt is told once too (nothing to keep: the user can ask again)."""

from __future__ import annotations

import binascii
import json
from typing import Any

from receiptbot import contract, layout
from receiptbot import logs as log
from receiptbot.bot.albums import answer_once
from receiptbot.bot.export_reply import take_export_claim
from receiptbot.bot.reply import already_answered
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import settings
from receiptbot.contract import ExportRequested, ReceiptUploaded
from receiptbot.telegram.api import bot

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event


def handle_event(data: Any) -> None:
    if is_export_request(data):
        export_failed(data)
        return
    # The receipts' dead-letter topics carry a ReceiptUploaded or its subclass: the common fields suffice.
    event = contract.parse(data, ReceiptUploaded, "deadletter")
    if event is None:
        return
    if already_answered(event):
        log.info("deadletter: a repeat of an answered receipt, nothing to do", receipt_id=event.receipt_id)
        return
    s = settings()
    keep(event)
    # A new message, not an edit: it comes minutes after the photo, and an edit does not notify.
    notice_id = answer_once(bot(), event, text("final_failure", event.language), notify=True)
    if notice_id is not None:  # a replay's answer takes the notice's place
        keep_event(event.model_copy(update={"status_message_id": notice_id}))
    log.error(
        "deadletter: receipt failed every attempt",
        event="receipt_dead_lettered",
        receipt_id=event.receipt_id,
        user_told=notice_id is not None,
        kept_as=f"gs://{s.raw_bucket}/{layout.failed_event(event.receipt_id)}",
    )


def is_export_request(data: Any) -> bool:
    """exports-requested's dead letters carry an ExportRequested, the receipts' ones a receipt
    event: only those have a receipt_id."""
    try:
        payload = json.loads(contract.decode_pubsub_data(data))
    except (KeyError, TypeError, ValueError, binascii.Error):
        return False  # malformed: the receipt path's parse logs and drops it
    return isinstance(payload, dict) and "receipt_id" not in payload


def export_failed(data: Any) -> None:
    """Tell the user once, unless the file (or this notice) was sent already."""
    event = contract.parse(data, ExportRequested, "deadletter")
    if event is None:
        return
    claim = take_export_claim(event)
    if claim is None:
        log.info("deadletter: a repeat of an answered export, nothing to do", chat_id=event.chat_id)
        return
    try:
        bot().send_message(event.chat_id, text("export_failed", event.language), reply_to=event.message_id)
    except Exception:
        claim.release()
        raise
    claim.complete()
    log.error("deadletter: export failed every attempt", event="export_dead_lettered", chat_id=event.chat_id)


def keep(event: ReceiptUploaded) -> None:
    """Copy the photo and the event under failed/, where `make replay` finds them."""
    s = settings()
    if not storage.copy(s.raw_bucket, event.raw_object, layout.failed_photo(event.receipt_id)):
        log.warning("deadletter: raw photo already gone", receipt_id=event.receipt_id)
    keep_event(event)


def keep_event(event: ReceiptUploaded) -> None:
    s = settings()
    storage.write(
        s.raw_bucket,
        layout.failed_event(event.receipt_id),
        event.model_dump_json().encode(),
        "application/json",
    )
