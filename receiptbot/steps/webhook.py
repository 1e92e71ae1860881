"""The webhook step: check the caller, store the photo, publish, answer Telegram fast.

The photo is in the raw bucket and the event is published before the 200, so nothing is
lost: on any storage or Pub/Sub fault Telegram gets a 5xx and sends the update again, and
the names derived from the message make the repeat a no-op.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from flask import Request

from receiptbot import layout
from receiptbot import logs as log
from receiptbot.bot import commands, ratelimit
from receiptbot.bot.reply import bot
from receiptbot.bot.texts import Language, language_of, text
from receiptbot.cloud import pubsub, storage
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.telegram.api import FileTooLarge, TelegramError, TelegramUnavailable
from receiptbot.telegram.types import dig, int_of, str_of

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
# What preprocess decodes; anything else (HEIC, GIF, PDF…) is answered at once with "send a photo".
RAW_IMAGE_TYPES = ("image/jpeg", "image/jpg", "image/png", "image/webp", "image/bmp")
# A refusal of these means the file itself cannot be had (too big for the Bot API, gone).
FILE_METHODS = ("getFile", "download")
# The raw photo's metadata key for the id of the "reading your receipt…" message.
STATUS_METADATA_KEY = "status_message_id"

Response = tuple[str, int]


class Ignored(Exception):
    """Not something the bot acts on: answered 200 so Telegram does not send it again."""


def authorised(request: Request, s: Settings) -> bool:
    expected = s.webhook_secret.get_secret_value()
    given = request.headers.get(SECRET_HEADER, "")
    # An unset secret locks the webhook rather than opening it.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def handle_request(request: Request) -> Response:
    s = settings()
    if request.method != "POST":
        return "method not allowed", 405
    if not authorised(request, s):
        log.warning("webhook: rejected a request without the right secret token")
        return "unauthorized", 401
    if (request.content_length or 0) > s.max_body_bytes:
        return "request body too large", 413
    if not request.is_json:
        return "expected application/json", 415
    # Read at most one byte past the limit: a chunked body has no Content-Length to refuse early.
    body = request.stream.read(s.max_body_bytes + 1)
    if len(body) > s.max_body_bytes:
        return "request body too large", 413
    try:
        update = json.loads(body)
    except ValueError:
        return "malformed JSON", 400
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return "not a Telegram update", 400
    return handle_update(update, s)


def handle_update(update: dict[str, Any], s: Settings) -> Response:
    try:
        return route_update(update, s)
    except TelegramUnavailable:
        log.error("webhook: Telegram unreachable, it will resend")
        return "temporarily unavailable", 503
    except TelegramError as exc:
        if exc.transient:
            log.error("webhook: Telegram fault, it will resend", error=exc.error_code)
            return "temporarily unavailable", 503
        # A reply Telegram refuses for good (the user blocked the bot, the chat is gone): a re-send
        # of the update would be refused the same way.
        log.warning("webhook: Telegram refused a reply", method=exc.method, error=exc.error_code)
        return "ignored", 200


def route_update(update: dict[str, Any], s: Settings) -> Response:
    message = update.get("message")
    query = update.get("callback_query")
    if isinstance(query, dict) and not message:
        if allowed(s, dig(query, "message", "chat", "id")):
            commands.handle_callback(s, query)
        return "ok", 200
    if not isinstance(message, dict):
        return "ignored", 200
    chat_id, message_id = int_of(dig(message, "chat", "id")), int_of(message.get("message_id"))
    if chat_id is None or message_id is None:
        return "ignored", 200
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    language = language_of(str_of(sender.get("language_code")))
    if not allowed(s, chat_id):
        log.info("webhook: chat not on the allowlist", chat_id=chat_id)
        bot().send_message(chat_id, text("not_allowed", language))
        return "ignored", 200

    if isinstance(message.get("text"), str):
        commands.handle_command(s, message["text"], chat_id, language)
        return "ok", 200
    try:
        file_id, file_size, source = pick_image(message)
    except Ignored as reason:
        bot().send_message(chat_id, text(str(reason), language), reply_to=message_id)
        return "ignored", 200
    if file_size and file_size > s.max_upload_bytes:
        bot().send_message(chat_id, text("too_large", language), reply_to=message_id)
        return "ignored", 200

    rid = layout.receipt_id(chat_id, message_id)
    try:
        user_id = int_of(sender.get("id"))
        return accept_receipt(s, rid, chat_id, message_id, user_id, language, file_id, source)
    except (TelegramUnavailable, *storage.TRANSIENT_ERRORS) as exc:
        log.error("webhook: transient fault, Telegram will resend", receipt_id=rid, error=type(exc).__name__)
        return "temporarily unavailable", 503
    except TelegramError as exc:
        if exc.transient:
            log.error("webhook: Telegram fault, it will resend", receipt_id=rid, error=exc.error_code)
            return "temporarily unavailable", 503
        if exc.method not in FILE_METHODS:
            raise  # a reply refused for good (the user blocked the bot): handle_update settles it
        log.warning("webhook: file could not be fetched", receipt_id=rid, error=exc.error_code)
        bot().send_message(chat_id, text("not_an_image", language), reply_to=message_id)
        return "ignored", 200
    except FileTooLarge:
        bot().send_message(chat_id, text("too_large", language), reply_to=message_id)
        return "ignored", 200


def allowed(s: Settings, chat_id: Any) -> bool:
    """The optional allowlist of chat ids (empty: everyone may use the bot)."""
    return not s.allowed_chat_ids or int_of(chat_id) in s.allowed_chat_ids


def pick_image(message: dict[str, Any]) -> tuple[str, int | None, str]:
    """The file to read: the largest photo size, or an image sent as a document."""
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        sizes = [p for p in photos if isinstance(p, dict) and isinstance(p.get("file_id"), str)]
        if sizes:
            largest = max(sizes, key=lambda p: (area(p), int_of(p.get("file_size")) or 0))
            return largest["file_id"], int_of(largest.get("file_size")), "photo"
    document = message.get("document")
    if isinstance(document, dict) and isinstance(document.get("file_id"), str):
        if str(document.get("mime_type", "")).lower() in RAW_IMAGE_TYPES:
            return document["file_id"], int_of(document.get("file_size")), "document"
        raise Ignored("not_an_image")
    raise Ignored("unsupported")


def area(photo_size: dict[str, Any]) -> int:
    return (int_of(photo_size.get("width")) or 0) * (int_of(photo_size.get("height")) or 0)


def accept_receipt(
    s: Settings,
    rid: str,
    chat_id: int,
    message_id: int,
    user_id: int | None,
    language: Language,
    file_id: str,
    source: str,
) -> Response:
    started = time.monotonic()
    raw_name = layout.raw_photo(rid)
    stored = storage.find(s.raw_bucket, raw_name)
    if stored is not None:  # a re-sent update: the photo and its status message are there already
        status_id = status_message_id(stored)
    else:
        if not ratelimit.allow(s, chat_id):
            log.info("webhook: rate limited", receipt_id=rid)
            minutes = s.rate_limit_window_seconds // 60
            bot().send_message(
                chat_id,
                text("rate_limited", language, limit=s.rate_limit_count, minutes=minutes),
                reply_to=message_id,
            )
            return "ignored", 200
        data = bot().download(bot().get_file_path(file_id), s.max_upload_bytes)
        status_id = store_photo(s, raw_name, data, chat_id, message_id, language)
    event = ReceiptUploaded(
        receipt_id=rid,
        chat_id=chat_id,
        message_id=message_id,
        user_id=user_id,
        language=language,
        status_message_id=status_id,
        raw_object=raw_name,
        source=source,  # type: ignore[arg-type]
    )
    pubsub.publish(s.project, s.topic_uploaded, event)
    log.info("webhook: receipt accepted", receipt_id=rid, seconds=round(time.monotonic() - started, 3))
    return "ok", 200


def store_photo(
    s: Settings, raw_name: str, data: bytes, chat_id: int, message_id: int, language: Language
) -> int | None:
    """Send "reading your receipt…" and store the photo, create-only, with that message's id.

    The id travels in the photo's metadata, so every step edits the same message and a re-sent
    update finds it in the same read that finds the photo. When a copy of this update sent at the
    same moment stored its photo first, our message is withdrawn and the stored one's id is used.
    """
    status_id = bot().send_message(chat_id, text("received", language), reply_to=message_id)["message_id"]
    try:
        created = storage.create(
            s.raw_bucket, raw_name, data, "application/octet-stream", {STATUS_METADATA_KEY: str(status_id)}
        )
    except Exception:
        withdraw(chat_id, status_id)  # Telegram re-sends the update, which sends its own
        raise
    if created:
        return status_id
    withdraw(chat_id, status_id)
    stored = storage.find(s.raw_bucket, raw_name)
    return status_message_id(stored) if stored is not None else None


def status_message_id(photo: storage.Blob) -> int | None:
    """The status message id stored with the photo (metadata values are strings)."""
    value = (photo.metadata or {}).get(STATUS_METADATA_KEY, "")
    return int(value) if value.isdigit() else None


def withdraw(chat_id: int, status_id: int) -> None:
    """Delete a status message no step will edit (best effort: at worst it stays in the chat)."""
    try:
        bot().delete_message(chat_id, status_id)
    except (TelegramError, TelegramUnavailable):
        log.warning("webhook: a spare status message could not be deleted", chat_id=chat_id)
