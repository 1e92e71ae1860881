"""The webhook step: check the caller, store the photo, publish, answer Telegram fast.

The photo is in the raw bucket and the event is published before the 200, so nothing is
lost: on any storage or Pub/Sub fault Telegram gets a 5xx and sends the update again, and
the names derived from the message make the repeat a no-op.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import time
from dataclasses import dataclass
from typing import BinaryIO, Literal, Protocol

from pydantic import ValidationError

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.bot import ratelimit
from receiptbot.bot.texts import Language, language_of, text
from receiptbot.cloud import pubsub, records, storage
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import FileTooLarge, FileUnavailable, TelegramError
from receiptbot.telegram.types import Message, PhotoSize, Update

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
# What preprocess reads (photos, an iPhone's HEIC sent as a file, PDF e-receipts and bills); anything
# else (GIF, ZIP…) is answered at once with "send a photo".
RAW_IMAGE_TYPES = (
    "image/jpeg",
    "image/jpg",
    "image/png",
    "image/webp",
    "image/bmp",
    "image/heic",
    "image/heif",
    "application/pdf",
)

Response = tuple[str, int]


class Headers(Protocol):
    def get(self, key: str, default: str) -> str: ...


class HttpRequest(Protocol):
    """What the webhook reads of an HTTP request (a Flask request is one): no web framework here."""

    method: str
    headers: Headers
    content_length: int | None
    is_json: bool
    stream: BinaryIO


class Ignored(faults.Permanent):
    """Not something the bot acts on; the message is the text key of what the user is told."""


@dataclass(frozen=True)
class Image:
    """The file of a message that is read as the receipt."""

    file_id: str
    file_size: int | None
    source: Literal["photo", "document"]
    file_unique_id: str | None = None


def authorised(request: HttpRequest, s: Settings) -> bool:
    expected = s.webhook_secret.get_secret_value()
    given = request.headers.get(SECRET_HEADER, "")
    # An unset secret locks the webhook rather than opening it.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def handle_request(request: HttpRequest) -> Response:
    """Telegram's answer. Raises ``faults.Transient`` (Telegram is to send the update again) and
    ``faults.Permanent`` (a re-send would fail the same way), which the entry point answers."""
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
    try:
        parsed = Update.model_validate(update)
    except ValidationError:  # a field of the wrong type: not an update the bot can act on
        return "ignored", 200
    return route_update(parsed, s)


def route_update(update: Update, s: Settings) -> Response:
    message, query = update.message, update.callback_query
    if query is not None and message is None:
        if allowed(s, query.message.chat.id if query.message else None):
            from receiptbot.bot import receipts  # Babel: not on a photo's cold start

            receipts.handle_callback(s, query)
        return "ok", 200
    if message is None:
        return "ignored", 200
    chat_id, message_id = message.chat.id, message.message_id
    language = language_of(message.from_user.language_code if message.from_user else None)
    if message.chat.is_group and not message.text and not message.photo and message.document is None:
        if message.migrate_to_chat_id is not None and allowed(s, chat_id):
            move_to_supergroup(chat_id, message.migrate_to_chat_id)
        return "ignored", 200  # a service message (joins, pins, topics…) or a sticker: no reply
    if not allowed(s, chat_id):
        log.info("webhook: chat not on the allowlist", chat_id=chat_id)
        bot().send_message(chat_id, text("not_allowed", language))
        return "ignored", 200

    if message.text is not None:
        from receiptbot.bot import commands, receipts  # Babel: not on a photo's cold start

        if not receipts.handle_reply(s, message, language):
            commands.handle_command(s, message, language)
        return "ok", 200
    try:
        image = pick_image(message)
    except Ignored as reason:
        bot().send_message(chat_id, text(str(reason), language), reply_to=message_id)
        return "ignored", 200
    if image.file_size and image.file_size > s.max_upload_bytes:
        bot().send_message(chat_id, text("too_large", language), reply_to=message_id)
        return "ignored", 200

    rid = layout.receipt_id(chat_id, message_id)
    try:
        return accept_receipt(s, rid, message, image, language)
    except (*storage.TRANSIENT_ERRORS, *records.TRANSIENT_ERRORS) as exc:
        raise faults.Transient(f"receipt {rid}: storage fault {type(exc).__name__}") from exc
    except FileUnavailable as exc:
        log.warning("webhook: file could not be fetched", receipt_id=rid, error=exc.error_code)
        bot().send_message(chat_id, text("not_an_image", language), reply_to=message_id)
        return "ignored", 200
    except FileTooLarge:
        bot().send_message(chat_id, text("too_large", language), reply_to=message_id)
        return "ignored", 200


def move_to_supergroup(old_chat_id: int, new_chat_id: int) -> None:
    """The group became a supergroup: its receipts go with it (safe to repeat)."""
    moved = records.move_chat(old_chat_id, new_chat_id)
    log.info("webhook: a group became a supergroup, records moved", chat_id=new_chat_id, moved=moved)


def allowed(s: Settings, chat_id: int | None) -> bool:
    """The optional allowlist of chat ids (empty: everyone may use the bot)."""
    return not s.allowed_chat_ids or chat_id in s.allowed_chat_ids


def pick_image(message: Message) -> Image:
    """The file to read: the largest photo size, or an image or a PDF sent as a document."""
    largest = max((p for p in message.photo or () if p.file_id is not None), key=area_and_size, default=None)
    if largest is not None and largest.file_id is not None:
        return Image(largest.file_id, largest.file_size, "photo", largest.file_unique_id)
    document = message.document
    if document is not None and document.file_id is not None:
        if (document.mime_type or "").lower() in RAW_IMAGE_TYPES:
            return Image(document.file_id, document.file_size, "document", document.file_unique_id)
        raise Ignored("not_an_image")
    raise Ignored("unsupported")


def area_and_size(photo: PhotoSize) -> tuple[int, int]:
    return (photo.width or 0) * (photo.height or 0), photo.file_size or 0


def accept_receipt(s: Settings, rid: str, message: Message, image: Image, language: Language) -> Response:
    started = time.monotonic()
    chat_id, message_id = message.chat.id, message.message_id
    raw_name = layout.raw_photo(rid)
    stored = storage.find(s.raw_bucket, raw_name)
    user_id = message.from_user.id if message.from_user and message.from_user.id else chat_id
    if stored is not None:  # a re-sent update: the photo and its status message are there already
        status_id = status_message_id(stored)
    else:
        # Counted once per receipt (a re-send finds its count), before the download costs anything.
        refusal = ratelimit.admit(s, rid, chat_id, user_id)
        if refusal is not None:
            tell_capped(s, rid, refusal, message, language)
            return "ignored", 200
        # Streamed from Telegram into the bucket: a 20 MB document is never whole in memory.
        with bot().open_download(bot().get_file_path(image.file_id), s.max_upload_bytes) as photo:
            if message.media_group_id is None:
                status_id = store_photo(s, raw_name, photo, image.file_size, chat_id, message_id, language)
            else:  # the album's one status message is sent by join_album
                storage.create_streamed(
                    s.raw_bucket, raw_name, photo, "application/octet-stream", {}, image.file_size
                )
                status_id = None
    album_id = None
    if message.media_group_id is not None:
        album_id = join_album(message, message.media_group_id, user_id, language)
    event = ReceiptUploaded(
        receipt_id=rid,
        chat_id=chat_id,
        message_id=message_id,
        user_id=user_id,
        language=language,
        status_message_id=status_id,
        raw_object=raw_name,
        source=image.source,
        sent_at=message.date,
        file_unique_id=image.file_unique_id,
        album_id=album_id,
    )
    pubsub.publish(s.project, s.topic_uploaded, event)
    log.info("webhook: receipt accepted", receipt_id=rid, seconds=round(time.monotonic() - started, 3))
    return "ok", 200


def join_album(message: Message, media_group_id: str, user_id: int, language: Language) -> str | None:
    """Add the photo to its album: its first photo sends the status message, each later one makes
    it count the photos. The album's id; None when the photo is answered alone (an album already
    summarised when it came, or a media_group_id that is not Telegram's)."""
    from receiptbot.bot import albums  # Babel: only an album's photos pay for it
    from receiptbot.cloud import albums as stored_albums

    chat_id, message_id = message.chat.id, message.message_id
    album_id = albums.album_id(chat_id, media_group_id)
    album, added = (
        (None, False)
        if album_id is None
        else stored_albums.join(album_id, chat_id, user_id, language, message_id)
    )
    if album is None:
        log.info(
            "webhook: a photo answered alone, not as part of an album", receipt_id=f"{chat_id}_{message_id}"
        )
        return None
    shown = None
    if album.first_part == message_id and album.status_message_id is None:
        shown = len(album.parts)
        status_id = bot().send_message(chat_id, albums.status_text(shown, language), reply_to=message_id)[
            "message_id"
        ]
        try:
            album = stored_albums.set_status(album.album_id, status_id)
        except Exception:
            withdraw(chat_id, status_id)  # Telegram re-sends the update, which sends its own
            raise
        if album.status_message_id != status_id:  # a copy of this update sent its message first
            withdraw(chat_id, status_id)
            return album.album_id
    elif not added:  # a re-sent update: the count was shown when it joined
        return album.album_id
    # Photos joining at the same moment edit in any order: whoever edits last looks again.
    for _ in range(albums.MAX_PARTS):
        if album.status_message_id is None or album.summarised or len(album.parts) == shown:
            break
        shown = len(album.parts)
        try:
            bot().edit_message_text(chat_id, album.status_message_id, albums.status_text(shown, language))
        except TelegramError:
            log.warning("webhook: an album's status message could not be edited", chat_id=chat_id)
            break
        album = stored_albums.get(album.album_id) or album
    return album.album_id


def tell_capped(
    s: Settings, rid: str, refusal: ratelimit.Refusal, message: Message, language: Language
) -> None:
    """Say once per window that a cap is reached and when the user can send again; later
    receipts in the same window are refused without a word."""
    log.info("webhook: over a cost cap", receipt_id=rid, cap=refusal.text_key)
    if not records.first_notice(refusal.notice_key, dt.datetime.fromtimestamp(refusal.until, dt.UTC)):
        return
    until = time.strftime("%H:%M", time.gmtime(refusal.until))
    from receiptbot.bot.card import plural  # Babel: only when a notice is due, not at cold start

    minutes = plural("minutes", s.rate_limit_window_seconds // 60, language)
    notice = text(refusal.text_key, language, limit=refusal.limit, until=until, minutes=minutes)
    try:
        bot().send_message(message.chat.id, notice, reply_to=message.message_id)
    except Exception:
        records.forget_notice(refusal.notice_key)  # Telegram re-sends the update, which tells it
        raise


def store_photo(
    s: Settings,
    raw_name: str,
    photo: BinaryIO,
    size: int | None,
    chat_id: int,
    message_id: int,
    language: Language,
) -> int | None:
    """Send "reading your receipt…" and store the photo, create-only, with that message's id.

    The id travels in the photo's metadata, so every step edits the same message and a re-sent
    update finds it in the same read that finds the photo. When a copy of this update sent at the
    same moment stored its photo first, our message is withdrawn and the stored one's id is used.
    """
    status_id = bot().send_message(chat_id, text("received", language), reply_to=message_id)["message_id"]
    try:
        created = storage.create_streamed(
            s.raw_bucket,
            raw_name,
            photo,
            "application/octet-stream",
            {layout.STATUS_METADATA_KEY: str(status_id)},
            size,
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
    value = (photo.metadata or {}).get(layout.STATUS_METADATA_KEY, "")
    return int(value) if value.isdigit() else None


def withdraw(chat_id: int, status_id: int) -> None:
    """Delete a status message no step will edit (best effort: at worst it stays in the chat)."""
    try:
        bot().delete_message(chat_id, status_id)
    except TelegramError:
        log.warning("webhook: a spare status message could not be deleted", chat_id=chat_id)
