"""The bot's commands: /start and /help, /month, /export (built by the export function), /delete.

In a group (a family's budget, say) every receipt belongs to whoever sent it: /month and /export
show the sender's own, /delete deletes the sender's own, and only the group's admins are offered
the chat-wide delete. A group also has other bots and chatter: a command addressed to another bot
(`/month@OtherBot`), text that is no command and a command that is not ours get no answer there.
"""

from __future__ import annotations

from receiptbot.bot import buttons, month
from receiptbot.bot.card import plural
from receiptbot.bot.texts import TEXTS, Language, text
from receiptbot.cloud import pubsub
from receiptbot.config import Settings
from receiptbot.contract import ExportRequested
from receiptbot.telegram.api import bot
from receiptbot.telegram.types import Message

COMMANDS = ("/start", "/help", "/month", "/export", "/delete")
ADMIN_STATUSES = ("creator", "administrator")


def command_of(message_text: str) -> tuple[str, str]:
    """`/export@MyBot extra` -> (`/export`, `MyBot`); the bot's name is "" when none is given."""
    words = message_text.strip().split(maxsplit=1)
    command, _, addressee = words[0].partition("@") if words else ("", "", "")
    return command.lower(), addressee


def argument_of(message_text: str) -> str:
    words = message_text.strip().split(maxsplit=1)
    return words[1].strip().lower() if len(words) > 1 else ""


def is_admin(chat_id: int, user_id: int) -> bool:
    """Whether the user may delete every member's receipts in this group (getChatMember)."""
    return bot().member_status(chat_id, user_id) in ADMIN_STATUSES


def sender_of(message: Message) -> int:
    """Who sent the message (a private chat's id is its user's id)."""
    return message.from_user.id if message.from_user and message.from_user.id else message.chat.id


def handle_command(s: Settings, message: Message, language: Language) -> None:
    chat_id, message_text, group = message.chat.id, message.text or "", message.chat.is_group
    user_id = sender_of(message)
    command, addressee = command_of(message_text)
    if addressee and addressee.casefold() != bot().username().casefold():
        return  # another bot's command
    if command not in COMMANDS:
        if not group:  # in a group, chatter and other bots' commands are none of ours
            bot().send_message(chat_id, text("unsupported", language))
        return
    if command == "/start" and not group:  # a short welcome; in a group, how to reach the bot there
        bot().send_message(chat_id, text("welcome", language))
    elif command in ("/start", "/help"):
        bot().send_message(chat_id, help_text(s, group, language))
    elif command == "/month":
        html, keyboard = month.summary(chat_id, month.this_month(), user_id, language, own=group)
        bot().send_message(
            chat_id, labelled(html, group, language), message.message_id, reply_markup=keyboard
        )
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
        started = "export_started_group" if group else "export_started"
        bot().send_message(chat_id, text(started, language), message.message_id)
    else:
        ask_delete(chat_id, user_id, group, language, message.message_id)


def help_text(s: Settings, group: bool, language: Language) -> str:
    """/help, and in a group how to send the bot photos there; with what is kept, for how long,
    and who reads the photos (the privacy paragraph is our markup: it goes in unescaped)."""
    privacy = text(
        "privacy",
        language,
        retention=plural("days", s.raw_retention_days, language),
        failed=plural("days", s.failed_retention_days, language),
    )
    if s.gemini_enabled:
        privacy += text("privacy_gemini", language)
    return TEXTS["help_group" if group else "help"][language].format(privacy=privacy)


def labelled(html: str, group: bool, language: Language) -> str:
    """In a group, the month view says whose receipts it counts: the sender's own."""
    return f"{text('month_yours', language)}\n{html}" if group else html


def ask_delete(chat_id: int, user_id: int, group: bool, language: Language, reply_to: int) -> None:
    """The confirmation, pressable by the asker alone for ten minutes. In a group: "delete mine",
    and for an admin also "delete everyone's" (checked again when pressed)."""
    lifetime, target = buttons.CONFIRM_LIFETIME_SECONDS, str(chat_id)
    cancel = buttons.button(text("delete_no", language), "wipen", target, user_id, lifetime)
    if not group:
        yes = buttons.button(text("delete_yes", language), "wipe", target, user_id, lifetime)
        keyboard = buttons.keyboard([yes, cancel])
        bot().send_message(chat_id, text("delete_confirm", language), reply_markup=keyboard)
        return
    rows = [[buttons.button(text("delete_mine", language), "wipeme", target, user_id, lifetime)]]
    if is_admin(chat_id, user_id):
        rows.append([buttons.button(text("delete_group", language), "wipe", target, user_id, lifetime)])
    rows.append([cancel])
    keyboard = buttons.keyboard(*rows)
    bot().send_message(chat_id, text("delete_confirm_group", language), reply_to, reply_markup=keyboard)
