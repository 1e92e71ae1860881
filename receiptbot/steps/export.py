"""The export step: build the chat's file off the webhook's request path and send it once."""

from __future__ import annotations

import time
from typing import Any

from receiptbot import contract
from receiptbot import logs as log
from receiptbot.bot import export, month
from receiptbot.bot.export_reply import take_export_claim
from receiptbot.bot.texts import text
from receiptbot.cloud import records
from receiptbot.config import settings
from receiptbot.contract import ExportRequested
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import TelegramError

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event


def handle_event(data: Any) -> None:
    event = contract.parse(data, ExportRequested, "export")
    if event is None:
        return
    claim = take_export_claim(event)
    if claim is None:
        log.info("export: a repeat of an answered request, nothing to do", chat_id=event.chat_id)
        return
    started = time.monotonic()
    try:
        show_upload_indicator(event)
        count = answer(event)
    except Exception:
        claim.release()  # a transient fault redelivers the request; a permanent one is acknowledged
        raise
    claim.complete()
    log.info(
        "export: answered",
        chat_id=event.chat_id,
        receipts=count,
        month=event.month,
        seconds=round(time.monotonic() - started, 3),
    )


def answer(event: ExportRequested) -> int:
    """Send the file, or say there is nothing to export. The number of receipts in the file."""
    own = event.user_id if event.chat_id < 0 else None  # a group's member exports their own (ids < 0)
    listed = export.exported(records.of_chat(event.chat_id, event.month, own))
    if not listed:
        nothing = "month_empty" if event.month else "export_empty"  # "no receipts in this month" / "yet"
        bot().send_message(event.chat_id, text(nothing, event.language), reply_to=event.message_id)
        return 0
    name, content = export.build(listed, event.language, event.month, event.file_format)
    caption = month.export_caption(listed, event.month, event.language)
    bot().send_document(event.chat_id, name, content, caption, reply_to=event.message_id)
    return len(listed)


def show_upload_indicator(event: ExportRequested) -> None:
    """Best effort: "sending a file…" in the chat's header while the file is built."""
    try:
        bot().send_chat_action(event.chat_id, "upload_document")
    except TelegramError:
        pass
