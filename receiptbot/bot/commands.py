"""The bot's commands: /start and /help, /export (a CSV of the user's receipts), /delete."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.bot.texts import Language, language_of, text
from receiptbot.cloud import storage
from receiptbot.config import Settings
from receiptbot.telegram.api import bot
from receiptbot.telegram.types import CallbackQuery

DELETE_YES = "delete:yes"
DELETE_NO = "delete:no"
CSV_COLUMNS = ["receipt_id", "date", "time", "merchant", "total", "currency", "document_type", "items", "tax"]


def command_of(message_text: str) -> str:
    """`/export@MyBot extra` -> `/export`."""
    words = message_text.strip().split(maxsplit=1)
    return words[0].split("@", 1)[0].lower() if words else ""


def handle_command(s: Settings, message_text: str, chat_id: int, language: Language) -> None:
    command = command_of(message_text)
    if command in ("/start", "/help"):
        bot().send_message(chat_id, text("help", language, retention_days=s.raw_retention_days))
    elif command == "/export":
        export(s, chat_id, language)
    elif command == "/delete":
        keyboard = {
            "inline_keyboard": [
                [
                    {"text": text("delete_yes", language), "callback_data": DELETE_YES},
                    {"text": text("delete_no", language), "callback_data": DELETE_NO},
                ]
            ]
        }
        bot().send_message(chat_id, text("delete_confirm", language), reply_markup=keyboard)
    else:
        bot().send_message(chat_id, text("unsupported", language))


def export(s: Settings, chat_id: int, language: Language) -> None:
    # The receipt model is ~25 ms of pydantic class building: imported here, on an /export, not on
    # the webhook's cold start, which every first receipt of a new instance waits for.
    from receiptbot.reading.model import ExtractionResult

    results = [
        ExtractionResult.model_validate_json(storage.read(s.results_bucket, name))
        for name in storage.names(s.results_bucket, layout.results_prefix(chat_id))
    ]
    if not results:
        bot().send_message(chat_id, text("export_empty", language))
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for result in sorted(results, key=lambda r: (r.receipt.date or "", r.receipt_id)):
        receipt = result.receipt
        tax = sum((t.amount for t in receipt.taxes if t.amount is not None), Decimal(0))
        writer.writerow(
            [
                result.receipt_id,
                receipt.date or "",
                receipt.time or "",
                receipt.merchant.name or "",
                receipt.total if receipt.total is not None else "",
                receipt.currency or "",
                receipt.document_type.value,
                len(receipt.items),
                tax if receipt.taxes else "",
            ]
        )
    bot().send_document(
        chat_id,
        "receipts.csv",
        buffer.getvalue().encode("utf-8-sig"),
        text("export_caption", language, count=len(results)),
    )
    log.info("export: sent", chat_id=chat_id, receipts=len(results))


def delete_user_data(s: Settings, chat_id: int) -> int:
    buckets = {"raw": s.raw_bucket, "work": s.work_bucket, "results": s.results_bucket}
    deleted = 0
    for role, prefixes in layout.chat_prefixes(chat_id).items():
        for prefix in prefixes:
            for name in storage.names(buckets[role], prefix):
                if storage.delete(buckets[role], name):  # False: already gone meanwhile
                    deleted += 1
    return deleted


def handle_callback(s: Settings, query: CallbackQuery) -> None:
    """The answer to /delete's confirmation buttons."""
    language = language_of(query.from_user.language_code if query.from_user else None)
    try:
        bot().answer_callback_query(query.id)
    except faults.Permanent:
        pass  # an old button's query id is refused; the press still counts
    if query.message is None or query.data not in (DELETE_YES, DELETE_NO):
        return
    chat_id = query.message.chat.id
    if query.data == DELETE_YES:
        reply = text("deleted", language, count=delete_user_data(s, chat_id))
        log.info("delete: user data deleted", chat_id=chat_id)
    else:
        reply = text("delete_cancelled", language)
    bot().edit_message_text(chat_id, query.message.message_id, reply)
