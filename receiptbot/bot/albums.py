"""Albums as the user sees them: one status message ("got 3 photos, reading them…") while the
photos are read, then one summary (each receipt's shop and total, the sum), with a button per
receipt for its card, and, when the photos are parts of one long receipt, 🔗 Join.

Telegram sends an album's photos as separate updates sharing a ``media_group_id``, with no end
marker; they arrive within about a second. Each photo is read as its own receipt; when the last
one is settled (read, or not readable), and the last photo joined ``ALBUM_WAIT_SECONDS`` ago, the
summary is sent once (a part that finishes sooner waits out the rest).
"""

from __future__ import annotations

import re
import time
from html import escape
from typing import Any

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.bot import buttons, reply
from receiptbot.bot.card import brand_and_legal_name, field, money, owner_of, plural
from receiptbot.bot.month import totals, totals_text
from receiptbot.bot.texts import Language, text
from receiptbot.cloud import albums, claims, records
from receiptbot.cloud.albums import Album
from receiptbot.cloud.records import Record, merchant_key
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.reading import validation
from receiptbot.telegram.api import BotApi, bot

MAX_PARTS = 10  # Telegram's largest album
# What a media_group_id may be to name an album (Telegram's are digits): short enough for the
# album id to fit in a button's 64 bytes.
_MEDIA_GROUP_ID = re.compile(r"[0-9A-Za-z_-]{1,24}")
BUTTON_LABEL_LENGTH = 24
# The checks a joined receipt keeps from its parts: what a QR code on a part settled.
QR_CHECKS = ("qr_", "payqr_")


def album_id(chat_id: int, media_group_id: str) -> str | None:
    """The album's id, or None for a media_group_id that is not one we can name (not Telegram's)."""
    return f"{chat_id}_{media_group_id}" if _MEDIA_GROUP_ID.fullmatch(media_group_id) else None


def status_text(count: int, language: Language) -> str:
    return plural("album_received", count, language)


# -- settling a part, and the summary -------------------------------------------------------


def settle(s: Settings, event: ReceiptUploaded, receipt_id: str | None) -> None:
    """Note this part's outcome (its record, or None: not readable) in its album, and send the
    album's summary when it is complete. Raises ``faults.Busy`` while another instance sends it;
    an album deleted by /delete meanwhile has nothing to settle."""
    assert event.album_id is not None
    outcome: str | None = receipt_id or albums.UNREADABLE
    for _ in range(MAX_PARTS + 1):  # each look waits at most ALBUM_WAIT; a new part restarts it
        try:
            album, wait = albums.settle(event.album_id, event.message_id, outcome, s.album_wait_seconds)
        except LookupError:  # deleted with the chat's data (/delete): nothing is left to summarise
            log.info("album: deleted, nothing to summarise", receipt_id=event.receipt_id)
            return
        if album.summarised:
            send_summary(s, event, album)
            return
        if wait is None:  # parts are still being read: the last of them summarises
            return
        time.sleep(min(wait, s.album_wait_seconds))
        outcome = None  # noted: only look again
    log.warning("album: photos kept joining; a later part summarises", receipt_id=event.receipt_id)


def send_summary(s: Settings, event: ReceiptUploaded, album: Album) -> None:
    """The summary in place of the album's status message, once (a claim, as a receipt's answer)."""
    state, claim = claims.claim(s.work_bucket, layout.claim("album", album.album_id), s.claim_timeout_seconds)
    if state is claims.ClaimState.BUSY:
        raise faults.Busy(f"album {album.album_id} is being summarised by another instance")
    if claim is None:  # summarised already
        return
    try:
        html, keyboard = summary(album, event.language)
        to = event.model_copy(
            update={"message_id": album.first_part, "status_message_id": album.status_message_id}
        )
        reply.deliver(bot(), to, html, reply_markup=keyboard)
    except Exception:
        claim.release()
        raise
    claim.complete()
    log.info("album: summarised", receipt_id=event.receipt_id, parts=len(album.parts))


def part_records(album: Album) -> list[Record | None]:
    """Each part's record, in the order sent; None for a part that was not read (or is gone)."""
    found = []
    for part in album.in_order:
        outcome = album.outcomes.get(str(part), albums.UNREADABLE)
        found.append(None if outcome == albums.UNREADABLE else records.get(outcome))
    return found


def shop(record: Record, language: Language) -> str:
    return brand_and_legal_name(record.receipt.merchant.name or text("card_unknown_merchant", language))[0]


def summary(album: Album, language: Language) -> tuple[str, dict[str, Any]]:
    """Each receipt's shop and total, the sum per currency, a button per receipt, and 🔗 Join
    when the photos look like one long receipt."""
    parts = part_records(album)
    read = [(number, record) for number, record in enumerate(parts, 1) if record is not None]
    lines = [
        f"🧾 <b>{escape(text('album_title', language, receipts=plural('receipts', len(read), language)))}</b>"
    ]
    for number, record in enumerate(parts, 1):
        if record is None:
            lines.append(f"{number}. ⚠️ {text('album_unreadable', language, count=number)}")
        else:
            amount = money(record.receipt.total, record.receipt.currency, language)
            lines.append(f"{number}. {field(shop(record, language))} — {escape(amount)}")
    sums = totals([record for _, record in read])
    if sums:
        shown = totals_text(sums, language)
        lines += ["", f"<b>{escape(text('album_sum', language, totals=shown))}</b>"]
    rows = []
    if read:
        owner = owner_of(read[0][1])
        shows = [
            buttons.button(
                f"{number}. {shop(record, language)}"[:BUTTON_LABEL_LENGTH], "part", record.receipt_id, owner
            )
            for number, record in read
        ]
        rows = [shows[i : i + 2] for i in range(0, len(shows), 2)]
        if len(read) == len(parts) and joinable([record for _, record in read]):
            lines += ["", text("album_join_offer", language)]
            rows.insert(0, [buttons.button(text("btn_join", language), "join", album.album_id, owner)])
    return "\n".join(lines), buttons.keyboard(*rows)


# -- one long receipt in parts ----------------------------------------------------------------


def joinable(parts: list[Record]) -> bool:
    """Parts of one long receipt: a total on the last part only, and one shop, date and time
    (or none) across them."""
    if len(parts) < 2:
        return False
    receipts = [part.receipt for part in parts]
    if receipts[-1].total is None or any(r.total is not None for r in receipts[:-1]):
        return False
    shops = {merchant_key(r.merchant.name) for r in receipts if r.merchant.name}
    dates = {r.date for r in receipts if r.date}
    times = {r.time for r in receipts if r.time}
    return len(shops) <= 1 and len(dates) <= 1 and len(times) <= 1


def joined(parts: list[Record]) -> Record:
    """One record of the parts, kept under the first part's id: the items in order, the shop,
    date and time from the parts that have them, the total (and its currency, tax, payment) from
    the last; checked again as a whole."""
    receipts = [part.receipt for part in parts]
    last = receipts[-1]
    receipt = last.model_copy(
        update={
            "merchant": next((r.merchant for r in receipts if r.merchant.name), last.merchant),
            "date": next((r.date for r in receipts if r.date), None),
            "time": next((r.time for r in receipts if r.time), None),
            "items": [item for r in receipts for item in r.items],
            "taxes": [tax for r in receipts for tax in r.taxes],
        }
    )
    receipt, checks = validation.check(receipt, None)
    kept = [check for part in parts for check in part.warnings if check.code.startswith(QR_CHECKS)]
    return parts[0].model_copy(update={"receipt": receipt, "warnings": kept + checks})


def answer_once(api: BotApi, event: ReceiptUploaded, html: str, notify: bool = False) -> int | None:
    """``reply.answer_once``, but a photo of an album answers with its line in the album's summary
    ("photo 2 could not be read"), so its text never replaces the album's status message: None
    then, as the photo has no message of its own."""
    if event.album_id is None:
        return reply.answer_once(api, event, html, notify=notify)
    return reply.once(event, lambda: settle(settings(), event, None))
