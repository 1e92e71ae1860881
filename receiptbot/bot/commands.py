"""The bot's commands: /start and /help, /month, /export (built by the export function), /delete."""

from __future__ import annotations

from receiptbot.bot import buttons, month
from receiptbot.bot.texts import Language, text
from receiptbot.cloud import pubsub
from receiptbot.config import Settings
from receiptbot.contract import ExportRequested
from receiptbot.telegram.api import bot
from receiptbot.telegram.types import Message


def command_of(message_text: str) -> str:
    """`/export@MyBot extra` -> `/export`."""
    words = message_text.strip().split(maxsplit=1)
    return words[0].split("@", 1)[0].lower() if words else ""


def argument_of(message_text: str) -> str:
    words = message_text.strip().split(maxsplit=1)
    return words[1].strip().lower() if len(words) > 1 else ""


def handle_command(s: Settings, message: Message, language: Language) -> None:
    chat_id, message_text = message.chat.id, message.text or ""
    user_id = message.from_user.id if message.from_user and message.from_user.id else chat_id
    command = command_of(message_text)
    if command in ("/start", "/help"):
        bot().send_message(chat_id, text("help", language, retention_days=s.raw_retention_days))
    elif command == "/month":
        html, keyboard = month.summary(chat_id, month.this_month(), user_id, language)
        bot().send_message(chat_id, html, reply_markup=keyboard)
    elif command == "/export":
        words = set(argument_of(message_text).split())  # "/export all csv", "/export всё"
        event = ExportRequested(
            chat_id=chat_id,
            user_id=user_id,
            language=language,
            month=None if words & {"all", "все", "всё"} else month.this_month(),
            message_id=message.message_id,
            file_format="csv" if "csv" in words else "xlsx",
        )
        pubsub.publish(s.project, s.topic_exports, event)
        bot().send_message(chat_id, text("export_started", language), message.message_id)
    elif command == "/delete":
        keyboard = buttons.keyboard(
            [
                buttons.button(
                    text("delete_yes", language),
                    "wipe",
                    str(chat_id),
                    user_id,
                    buttons.CONFIRM_LIFETIME_SECONDS,
                ),
                buttons.button(
                    text("delete_no", language),
                    "wipen",
                    str(chat_id),
                    user_id,
                    buttons.CONFIRM_LIFETIME_SECONDS,
                ),
            ]
        )
        bot().send_message(chat_id, text("delete_confirm", language), reply_markup=keyboard)
    else:
        bot().send_message(chat_id, text("unsupported", language))
