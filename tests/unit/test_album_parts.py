"""Albums in process: when photos are parts of one long receipt, what joining them makes, the
summary's text and buttons, and the album's status texts (the stack layer drives whole albums
through the pipeline: tests/stack/test_albums.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from receiptbot.bot import albums, buttons
from receiptbot.cloud.albums import UNREADABLE, Album
from receiptbot.cloud.records import Record
from receiptbot.reading.model import Check, Item, Merchant, Receipt
from receiptbot.telegram.limits import CALLBACK_DATA_LENGTH

NOW = dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def token(environ) -> None:
    environ(TELEGRAM_BOT_TOKEN="123456:unit-test-bot-token")


def part(message_id: int, total: str | None = None, merchant: str | None = "ВкусВилл", **receipt) -> Record:
    items = [Item(name=f"item {message_id}", amount=Decimal("10.00"))]
    return Record(
        receipt_id=f"7_{message_id}", chat_id=7, user_id=7, message_id=message_id, engine="test", read_at=NOW,
        receipt=Receipt(merchant=Merchant(name=merchant), total=Decimal(total) if total else None,
                        currency="RUB", items=items, **receipt),
    )  # fmt: skip


def album(*outcomes: str) -> Album:
    parts = list(range(1, len(outcomes) + 1))
    return Album(
        album_id="7_1234567890",
        chat_id=7,
        user_id=7,
        parts=parts,
        first_part=1,
        last_joined_at=0,
        outcomes={str(p): o for p, o in zip(parts, outcomes, strict=True)},
    )


def test_parts_with_a_total_on_the_last_only_and_one_shop_date_and_time_are_one_receipt() -> None:
    assert albums.joinable(
        [part(1, date="2024-03-05"), part(2, merchant=None), part(3, "30.00", time="12:40")]
    )
    assert not albums.joinable([part(1, "30.00")])  # one photo is no album of parts
    assert not albums.joinable([part(1, "10.00"), part(2, "20.00")])  # two receipts
    assert not albums.joinable([part(1), part(2)])  # no total at all
    assert not albums.joinable([part(1), part(2, "20.00", merchant="Spar")])
    assert not albums.joinable([part(1, date="2024-03-04"), part(2, "20.00", date="2024-03-05")])
    assert not albums.joinable([part(1, time="12:39"), part(2, "20.00", time="12:40")])


def test_joined_parts_keep_the_items_in_order_and_take_each_fact_from_the_part_that_has_it() -> None:
    qr = Check(code="qr_confirmed")
    last = part(3, "30.00", merchant=None, date="2024-03-05", time="12:40").model_copy(
        update={"warnings": [qr]}
    )
    record = albums.joined([part(1, date="2024-03-05"), part(2, merchant=None), last])
    assert record.receipt_id == "7_1"
    assert [item.name for item in record.receipt.items] == ["item 1", "item 2", "item 3"]
    assert record.receipt.merchant.name == "ВкусВилл"
    assert (record.receipt.date, record.receipt.time, record.receipt.total) == ("2024-03-05", "12:40", 30)
    assert record.warnings == [qr]  # checked again as a whole: the items add up, a total is there


def test_the_summary_lists_each_receipt_and_the_sum_and_offers_to_join_parts(fake_records) -> None:
    for record in (part(1), part(2, "30.00")):
        fake_records.save(record)
    html, keyboard = albums.summary(album("7_1", "7_2"), "ru")
    assert html.splitlines() == [
        "🧾 <b>2 чека из альбома</b>",
        "1. ВкусВилл — —",
        f"2. ВкусВилл — 30,00{NBSP}₽",
        "",
        f"<b>Всего: 30,00{NBSP}₽</b>",
        "",
        "Похоже, это части одного длинного чека.",
    ]
    rows = [[b["text"] for b in row] for row in keyboard["inline_keyboard"]]
    assert rows == [["🔗 Объединить в один чек"], ["1. ВкусВилл", "2. ВкусВилл"]]
    join = keyboard["inline_keyboard"][0][0]["callback_data"]
    assert buttons.verify(join, 7) == buttons.Press("join", "7_1234567890")


def test_an_unreadable_photo_is_named_in_the_summary_and_nothing_is_offered_to_join(fake_records) -> None:
    fake_records.save(part(2, "30.00"))
    html, keyboard = albums.summary(album(UNREADABLE, "7_2"), "en")
    assert html.splitlines()[:3] == [
        "🧾 <b>1 receipt from your album</b>",
        "1. ⚠️ photo 1 could not be read",
        "2. ВкусВилл — 30.00\u00a0RUB",
    ]
    assert [[b["text"] for b in row] for row in keyboard["inline_keyboard"]] == [["2. ВкусВилл"]]


def test_an_album_id_names_telegrams_media_groups_and_fits_a_button() -> None:
    longest = albums.album_id(-1001234567890, "9" * 24)
    assert longest is not None
    assert len(buttons.data("join", longest, 1234567890).encode()) <= CALLBACK_DATA_LENGTH
    assert albums.album_id(5, "9" * 25) is None
    assert albums.album_id(5, "a/b") is None  # not a Firestore document id's part


def test_the_status_message_counts_the_photos_in_each_language() -> None:
    assert albums.status_text(1, "en") == "🧾 Got 1 photo, reading it…"
    assert albums.status_text(3, "en") == "🧾 Got 3 photos, reading them…"
    assert albums.status_text(5, "ru") == "🧾 Получил 5 фото, читаю…"
