"""Albums through the local stack: photos sharing a media_group_id get one status message and one
summary; parts of one long receipt can be joined; a photo that cannot be read has its line in the
summary; a re-sent album changes nothing. The Gemini stand-in reads the shop; the fiscal QR code
printed on a part gives its total (the stand-in answers every photo alike)."""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np
import requests
from helpers import objects, user_of
from synthetic import encode, synthetic_scan

from devstack.stack import LocalStack
from devstack.user import TelegramUser, plain
from receiptbot.bot import albums as album_replies
from receiptbot.cloud import albums, records
from receiptbot.config import Settings
from receiptbot.contract import ReceiptUploaded

ALBUM_WAIT = Settings().album_wait_seconds


def fiscal_code(document: int, total: str, minute: int) -> str:
    return f"t=20240305T12{minute:02d}&s={total}&fn=9289000100123456&i={document}&fp=1234567890&n=1"


def model_reads(stack: LocalStack, **reading: object) -> None:
    """The stand-in's reading of every photo: a shop's receipt of 5 March 2024, no total."""
    answer = {"document_type": "shop_receipt", "date": "2024-03-05", "currency": "RUB", **reading}
    requests.post(f"{stack.url('gemini')}/_standin/config", json={"answer": answer}, timeout=10)


def rid(user: TelegramUser, message_id: int) -> str:
    return f"{user.chat_id}_{message_id}"


def test_an_album_gets_one_status_message_and_one_summary(gemini_stack: LocalStack) -> None:
    user = user_of(gemini_stack)
    model_reads(gemini_stack, merchant={"name": "ВкусВилл"}, items=[])
    photos = [
        encode(synthetic_scan(fiscal_code(30000 + n, total, n)))
        for n, total in enumerate(("100.00", "250.50", "80.00"))
    ]
    sent = user.send_album(photos)
    assert [s.status for s in sent] == [200, 200, 200]
    summary = user.wait_for_album([s.message_id for s in sent])
    assert [m for s in sent for m in user.replies_to(s.message_id)] == [summary]  # one message in all
    assert summary["edits"][-1] == "🧾 Got 3 photos, reading them…"  # what it said while they were read
    lines = plain(summary["text"]).splitlines()
    assert lines[:4] == [
        "🧾 3 receipts from your album",
        "1. ВкусВилл — 100.00\u00a0RUB",
        "2. ВкусВилл — 250.50\u00a0RUB",
        "3. ВкусВилл — 80.00\u00a0RUB",
    ]
    assert "Altogether: 430.50\u00a0RUB" in lines
    labels = [b["text"] for row in summary["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["1. ВкусВилл", "2. ВкусВилл", "3. ВкусВилл"]  # each receipt's card; no Join

    saved = [records.get(rid(user, s.message_id)) for s in sorted(sent, key=lambda s: s.message_id)]
    assert [r.receipt.total for r in saved if r] == [Decimal("100.00"), Decimal("250.50"), Decimal("80.00")]
    assert all(r.card_message_id is None for r in saved if r)  # no card of their own yet

    user.press(summary, "2.")
    (card,) = [m for m in user.replies_to(saved[1].message_id) if m["message_id"] != summary["message_id"]]
    assert "250.50" in card["text"] and "Fix" in str(card["reply_markup"])
    assert records.get(saved[1].receipt_id).card_message_id == card["message_id"]


def test_the_parts_of_one_long_receipt_are_joined_into_one_record(gemini_stack: LocalStack) -> None:
    user = user_of(gemini_stack, "ru")
    milk = {"name": "Молоко", "quantity": "1", "amount": "89.90"}
    model_reads(gemini_stack, merchant={"name": "ВкусВилл"}, time="12:40", items=[milk])
    photos = [
        encode(synthetic_scan()),
        encode(synthetic_scan()),
        encode(synthetic_scan(fiscal_code(30010, "269.70", 40))),
    ]
    sent = sorted(user.send_album(photos), key=lambda s: s.message_id)
    summary = user.wait_for_album([s.message_id for s in sent])
    assert "Похоже, это части одного длинного чека." in summary["text"]
    assert "1. ВкусВилл — —" in plain(summary["text"])

    user.press(summary, "Объединить")
    joined = records.get(rid(user, sent[0].message_id))
    assert joined is not None and joined.receipt.total == Decimal("269.70")
    assert [item.name for item in joined.receipt.items] == ["Молоко"] * 3
    assert joined.card_message_id == summary["message_id"]
    for part in sent[1:]:
        assert records.get(rid(user, part.message_id)) is None
        assert not objects("RAW_BUCKET", f"raw/{rid(user, part.message_id)}")
    assert [r.receipt_id for r in records.of_chat(user.chat_id)] == [joined.receipt_id]  # counted once
    card = user.message_by_id(summary["message_id"])
    assert "Итого: 269,70\u00a0₽" in plain(card["text"]) and "Исправить" in str(card["reply_markup"])

    user.press(summary, "Объединить")  # a double tap, on the button as it was
    assert [r.receipt_id for r in records.of_chat(user.chat_id)] == [joined.receipt_id]
    assert user.message_by_id(summary["message_id"])["text"] == card["text"]


def test_an_unreadable_photo_is_a_line_of_the_summary_and_a_resent_album_changes_nothing(
    gemini_stack: LocalStack,
) -> None:
    user = user_of(gemini_stack)
    model_reads(gemini_stack, merchant={"name": "Spar"}, total="8.40", currency="EUR", time="11:30", items=[])
    tiny = encode(np.full((60, 60, 3), 250, np.uint8))  # preprocess: "too small to read"
    updates = user.album_updates([encode(synthetic_scan()), tiny])
    sent = [user.post(update) for update in updates]
    summary = user.wait_for_album([s.message_id for s in sent])
    lines = plain(summary["text"]).splitlines()
    assert lines[:3] == ["🧾 1 receipt from your album", "1. Spar — €8.40", "2. ⚠️ photo 2 could not be read"]
    assert [m["message_id"] for m in user.chat()] == [summary["message_id"]]  # no "too small" of its own

    chat_before = user.chat()
    assert [user.post(update).status for update in updates] == [200, 200]  # Telegram sends them again
    time.sleep(2 * ALBUM_WAIT)  # what the pipeline does with the repeats: nothing the user sees
    assert user.chat() == chat_before
    album = albums.get(f"{user.chat_id}_{updates[0]['message']['media_group_id']}")
    assert album is not None and album.summarised and sorted(album.parts) == [s.message_id for s in sent]


def test_delete_removes_albums_and_a_part_read_afterwards_settles_nothing(gemini_stack: LocalStack) -> None:
    """/delete while an album is read: the album goes with the chat's data, and a part that finishes
    afterwards (read, unreadable, or its image gone) has nothing to settle: no error, so no retry
    and no dead letter, and no summary."""
    chat, group = 9_300_001, "13579"
    album_id = f"{chat}_{group}"
    for part in (11, 12):
        albums.join(album_id, chat, chat, "en", part)
    assert albums.get(album_id) is not None
    records.delete_chat(chat, up_to=int(time.time()))
    assert albums.get(album_id) is None

    late_part = ReceiptUploaded(
        receipt_id=f"{chat}_12", chat_id=chat, message_id=12, raw_object="raw/x", album_id=album_id
    )
    album_replies.settle(Settings(), late_part, None)  # returns: nothing raised
    assert albums.get(album_id) is None
    assert gemini_stack.telegram.chat(chat) == []
