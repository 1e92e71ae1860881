"""A user's saved receipts in the chat: the card with its buttons, what each press does, and the
corrections the user sends in answer to the bot's question (ForceReply).

Every press is verified first (bot/buttons.py): only the person a button was shown to can use it,
and only until it expires. Each action is safe to repeat: a double tap, or Telegram re-sending the
update, finds the work done and changes nothing more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.bot import albums, buttons, month
from receiptbot.bot.card import card_keyboard, category_name, day, plural, render_card
from receiptbot.bot.commands import is_admin, labelled
from receiptbot.bot.texts import Language, language_of, text
from receiptbot.cloud import albums as stored_albums
from receiptbot.cloud import records, storage
from receiptbot.cloud.records import FixField, PendingFix, Record
from receiptbot.config import Settings
from receiptbot.reading.model import Category, DocumentType
from receiptbot.telegram.api import bot
from receiptbot.telegram.types import CallbackQuery, Message

OFFLINE_ENGINE = "tesseract"
FIX_QUESTION_LIFETIME = dt.timedelta(days=1)
MAX_TOTAL = Decimal("1000000000")  # a receipt of a billion is a typo, and bounds what a user can store
MAX_MERCHANT_LENGTH = 100
CATEGORIES = list(Category)
# "1 234,50", "1234.50 ₽", "12": digits with spaces as thousands, one decimal mark, up to 2 decimals.
_AMOUNT = re.compile(r"^(\d{1,10})(?:[.,](\d{1,2}))?$")
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")


def duplicate_text(record: Record, original: Record) -> str:
    """What a repeat is: the same receipt again, or a bill and the payment of that bill."""
    kinds = (original.receipt.document_type, record.receipt.document_type)
    if kinds == (DocumentType.utility_receipt, DocumentType.payment_receipt):
        return "card_bill_paid"
    if kinds == (DocumentType.payment_receipt, DocumentType.utility_receipt):
        return "card_bill_already_paid"
    return "card_duplicate"


def card_message(s: Settings, record: Record, language: Language) -> tuple[str, dict[str, Any]]:
    """The card of a saved receipt and its buttons, as sent and as edited after each change."""
    duplicate = None
    if record.duplicate_of and (original := records.get(record.duplicate_of)) is not None:
        duplicate = text(duplicate_text(record, original), language, date=sent_date(original, language))
    html = render_card(
        record,
        language,
        read_offline=s.gemini_enabled and record.engine == OFFLINE_ENGINE,
        duplicate=duplicate,
        month_line=month.month_line(record.chat_id, record.month, language, record.user_id),
    )
    return html, card_keyboard(record, language)


def sent_date(record: Record, language: Language) -> str:
    """The day the original was sent, as the card writes dates (Babel's medium Russian date ends
    in "г.", which the sentence's full stop doubled)."""
    moment = dt.datetime.fromtimestamp(record.sent_at, dt.UTC) if record.sent_at else record.read_at
    return day(moment.date().isoformat(), language)


# -- presses ---------------------------------------------------------------------------------


def handle_callback(s: Settings, query: CallbackQuery) -> None:
    """Act on a press and answer it: an alert when it is refused or its receipt is gone."""
    language = language_of(query.from_user.language_code if query.from_user else None)
    user_id = query.from_user.id if query.from_user else None
    note, alert = "", False
    try:
        press = buttons.verify(query.data, user_id)
        action = ACTIONS.get(press.action)
        if query.message is None or action is None or user_id is None:
            raise buttons.Refused("button_unknown")
        note = action(s, press, query.message, user_id, language)
    except buttons.Refused as refusal:
        log.info("button refused", reason=str(refusal))
        note, alert = text(str(refusal), language), True
    except Gone:
        note, alert = text("receipt_gone", language), True
    try:
        bot().answer_callback_query(query.id, note, show_alert=alert)
    except faults.Permanent:
        pass  # an old query id is refused; the press was acted on all the same


class Gone(Exception):
    """The button's receipt is no longer saved."""


Action = Callable[[Settings, buttons.Press, Message, int, Language], str]


def _record(rid: str, chat_id: int) -> Record:
    record = records.get(rid)
    if record is None or record.chat_id != chat_id:
        raise Gone(rid)
    return record


def _show(s: Settings, record: Record, message: Message, language: Language) -> None:
    html, keyboard = card_message(s, record, language)
    bot().edit_message_text(message.chat.id, message.message_id, html, reply_markup=keyboard)


def fix_menu(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    _record(press.target, message.chat.id)
    rid = press.target
    keyboard = buttons.keyboard(
        [
            buttons.button(text("btn_fix_total", language), "ft", rid, user_id),
            buttons.button(text("btn_fix_date", language), "fd", rid, user_id),
            buttons.button(text("btn_fix_merchant", language), "fm", rid, user_id),
        ],
        [buttons.button(text("btn_back", language), "back", rid, user_id)],
    )
    bot().edit_reply_markup(message.chat.id, message.message_id, keyboard)
    return ""


def back(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    record = _record(press.target, message.chat.id)
    bot().edit_reply_markup(message.chat.id, message.message_id, card_keyboard(record, language))
    return ""


FIX_ACTIONS: dict[str, FixField] = {"ft": "total", "fd": "date", "fm": "merchant"}


def ask_fix(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """Ask for the new value; the answer comes as a reply to this question (``handle_reply``)."""
    record = _record(press.target, message.chat.id)
    field = FIX_ACTIONS[press.action]
    _ask(record, field, user_id, language, message.message_id)
    bot().edit_reply_markup(message.chat.id, message.message_id, card_keyboard(record, language))
    return ""


def _ask(record: Record, field: FixField, user_id: int, language: Language, reply_to: int) -> None:
    force_reply = {"force_reply": True, "selective": True}
    prompt = bot().send_message(
        record.chat_id, text(f"ask_{field}", language), reply_to, reply_markup=force_reply
    )
    expires = dt.datetime.now(dt.UTC) + FIX_QUESTION_LIFETIME
    records.ask_fix(
        record.chat_id,
        prompt["message_id"],
        PendingFix(receipt_id=record.receipt_id, field=field, user_id=user_id, expires_at=expires),
    )


def category_menu(
    s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language
) -> str:
    _record(press.target, message.chat.id)
    choices = [
        buttons.button(category_name(category, language), "cs", f"{press.target}.{index}", user_id)
        for index, category in enumerate(CATEGORIES)
    ]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    back_row = [buttons.button(text("btn_back", language), "back", press.target, user_id)]
    bot().edit_reply_markup(message.chat.id, message.message_id, buttons.keyboard(*rows, back_row))
    return ""


def set_category(
    s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language
) -> str:
    rid, _, index = press.target.rpartition(".")
    if not index.isdigit() or int(index) >= len(CATEGORIES):
        raise buttons.Refused("button_unknown")
    record = _record(rid, message.chat.id)
    category = CATEGORIES[int(index)]
    if record.category != category:
        record = record.model_copy(update={"category": category, "edited_at": dt.datetime.now(dt.UTC)})
        records.update(record)
    if record.receipt.merchant.name:
        records.remember_category(record.chat_id, record.receipt.merchant.name, category)
    _show(s, record, message, language)
    return text("category_saved", language, category=category_name(category, language))


def ask_delete(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    _record(press.target, message.chat.id)
    keyboard = buttons.keyboard(
        [
            buttons.button(text("btn_delete_sure", language), "dely", press.target, user_id),
            buttons.button(text("btn_back", language), "back", press.target, user_id),
        ]
    )
    bot().edit_reply_markup(message.chat.id, message.message_id, keyboard)
    return ""


def delete_one(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """The record and its images; the card says it is deleted (a repeat finds nothing to delete)."""
    records.delete(press.target)
    delete_images(s, press.target)
    bot().edit_message_text(message.chat.id, message.message_id, text("card_deleted", language))
    log.info("delete: one receipt deleted", receipt_id=press.target)
    return ""


def delete_images(s: Settings, rid: str) -> None:
    """A receipt's photo, its processed image and what the dead-letter step kept of it."""
    storage.delete(s.raw_bucket, layout.raw_photo(rid))
    storage.delete(s.work_bucket, layout.processed_image(rid))
    for name in storage.names(s.raw_bucket, layout.failed_prefix(rid)):
        storage.delete(s.raw_bucket, name)


def keep(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """A receipt taken for a duplicate is counted after all."""
    record = _record(press.target, message.chat.id)
    if not record.counted:
        record = record.model_copy(update={"counted": True, "edited_at": dt.datetime.now(dt.UTC)})
        records.update(record)
    _show(s, record, message, language)
    return text("card_kept", language)


def show_month(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", press.target):
        raise buttons.Refused("button_unknown")
    html, keyboard = month.summary(
        message.chat.id, press.target, user_id, language, own=message.chat.is_group
    )
    html = labelled(html, message.chat.is_group, language)
    bot().edit_message_text(message.chat.id, message.message_id, html, reply_markup=keyboard)
    return ""


def wipe(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """/delete confirmed: every record and image of the chat (the target names the chat). In a
    group only an admin may, and is asked again now: the button may have outlived the role."""
    chat_id = message.chat.id
    if press.target != str(chat_id):
        raise buttons.Refused("button_unknown")
    if message.chat.is_group and not is_admin(chat_id, user_id):
        raise buttons.Refused("button_not_admin")
    count = delete_chat_data(s, chat_id)
    done = text("deleted", language, receipts=plural("receipts", count, language))
    bot().edit_message_text(chat_id, message.message_id, done)
    log.info("delete: chat data deleted", chat_id=chat_id)
    return ""


def wipe_mine(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """A group member's /delete confirmed: their own records and images in this group."""
    chat_id = message.chat.id
    if press.target != str(chat_id):
        raise buttons.Refused("button_unknown")
    deleted = records.delete_sender(chat_id, user_id, up_to=int(dt.datetime.now(dt.UTC).timestamp()))
    for rid in deleted:
        delete_images(s, rid)
    done = text("deleted_mine", language, receipts=plural("receipts", len(deleted), language))
    bot().edit_message_text(chat_id, message.message_id, done)
    log.info("delete: one sender's data deleted in a group", chat_id=chat_id)
    return ""


def keep_all(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    bot().edit_message_text(message.chat.id, message.message_id, text("delete_cancelled", language))
    return ""


def delete_chat_data(s: Settings, chat_id: int) -> int:
    """Records first (with the mark that keeps receipts in flight from coming back), then images.
    Returns the number of receipts deleted."""
    count = records.delete_chat(chat_id, up_to=int(dt.datetime.now(dt.UTC).timestamp()))
    buckets = {"raw": s.raw_bucket, "work": s.work_bucket}
    for chat in (chat_id, *records.migrated_from(chat_id)):  # a supergroup's images keep the old id
        for role, prefixes in layout.chat_prefixes(chat).items():
            for prefix in prefixes:
                for name in storage.names(buckets[role], prefix):
                    storage.delete(buckets[role], name)  # False: already gone meanwhile
    return count


def show_part(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """An album's receipt: its card with its buttons, as a new message under its photo (a fix then
    edits that card)."""
    record = _record(press.target, message.chat.id)
    html, keyboard = card_message(s, record, language)
    sent = bot().send_message(record.chat_id, html, record.message_id, reply_markup=keyboard)
    records.update(record.model_copy(update={"card_message_id": sent["message_id"]}))
    return ""


def join_album(s: Settings, press: buttons.Press, message: Message, user_id: int, language: Language) -> str:
    """An album's photos are one long receipt: one record (the first part's), the others' records
    and images deleted, and the summary becomes its card. A repeated press shows the card again."""
    album = stored_albums.get(press.target)
    if album is None or album.chat_id != message.chat.id:
        raise Gone(press.target)
    if not album.joined:
        parts = albums.part_records(album)
        found = [part for part in parts if part is not None]
        if len(found) != len(parts) or not albums.joinable(found):
            raise Gone(press.target)  # a part was deleted meanwhile: the parts are no longer one receipt
        record = albums.joined(found).model_copy(
            update={"card_message_id": message.message_id, "edited_at": dt.datetime.now(dt.UTC)}
        )
        stored_albums.join_records(album, record, [part.receipt_id for part in found[1:]])
        for part in found[1:]:
            delete_images(s, part.receipt_id)
        log.info("album: parts joined into one receipt", receipt_id=record.receipt_id, parts=len(found))
    _show(s, _record(layout.receipt_id(album.chat_id, album.in_order[0]), message.chat.id), message, language)
    return text("album_joined", language)


ACTIONS: dict[str, Action] = {
    "fix": fix_menu,
    "ft": ask_fix,
    "fd": ask_fix,
    "fm": ask_fix,
    "back": back,
    "cat": category_menu,
    "cs": set_category,
    "del": ask_delete,
    "dely": delete_one,
    "keep": keep,
    "mon": show_month,
    "wipe": wipe,
    "wipeme": wipe_mine,
    "wipen": keep_all,
    "part": show_part,
    "join": join_album,
}


# -- corrections -----------------------------------------------------------------------------


class BadValue(ValueError):
    """The user's value cannot be used; nothing is changed."""


def parse_total(value: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0\u202f]|₽|руб\.?|р\.|€|\$|£|rub|eur|usd|gbp", "", value.casefold())
    match = _AMOUNT.match(cleaned)
    if not match:
        raise BadValue(value)
    try:
        amount = Decimal(f"{match.group(1)}.{match.group(2) or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadValue(value) from None
    if not 0 < amount < MAX_TOTAL:
        raise BadValue(value)
    return amount


def parse_date(value: str) -> str:
    for pattern in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
        if dt.date(2000, 1, 1) <= day <= dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
            return day.isoformat()
    raise BadValue(value)


def parse_merchant(value: str) -> str:
    name = " ".join(value.split())
    if not 1 <= len(name) <= MAX_MERCHANT_LENGTH or not name.isprintable():
        raise BadValue(value)
    return name


def corrected(record: Record, field: FixField, value: str) -> Record:
    """The record with the user's value in place; ``BadValue`` when it is not one."""
    receipt = record.receipt
    if field == "total":
        receipt = receipt.model_copy(update={"total": parse_total(value)})
    elif field == "date":
        receipt = receipt.model_copy(update={"date": parse_date(value)})
    else:
        merchant = receipt.merchant.model_copy(update={"name": parse_merchant(value)})
        receipt = receipt.model_copy(update={"merchant": merchant})
    edited = sorted({*record.edited, field})
    return record.model_copy(
        update={"receipt": receipt, "edited": edited, "edited_at": dt.datetime.now(dt.UTC)}
    )


def handle_reply(s: Settings, message: Message, language: Language) -> bool:
    """A reply to one of the bot's questions for a corrected value. False: not such a reply."""
    question = message.reply_to_message
    if question is None or message.text is None:
        return False
    chat_id = message.chat.id
    fix = records.pending_fix(chat_id, question.message_id)
    user_id = message.from_user.id if message.from_user else None
    if fix is None or fix.user_id != user_id:
        return False
    record = records.get(fix.receipt_id)
    if record is None:
        bot().send_message(chat_id, text("receipt_gone", language), message.message_id)
        records.fix_done(chat_id, question.message_id)
        return True
    try:
        record = corrected(record, fix.field, message.text)
    except BadValue:
        bot().send_message(chat_id, text(f"bad_{fix.field}", language), message.message_id)
        _ask(record, fix.field, fix.user_id, language, message.message_id)
        records.fix_done(chat_id, question.message_id)
        return True
    records.update(record)
    records.fix_done(chat_id, question.message_id)
    if record.card_message_id is not None:
        html, keyboard = card_message(s, record, language)
        bot().edit_message_text(chat_id, record.card_message_id, html, reply_markup=keyboard)
    bot().send_message(chat_id, text("fixed", language), message.message_id)
    log.info("fix: a receipt corrected", receipt_id=record.receipt_id, field=fix.field)
    return True
