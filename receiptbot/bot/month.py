"""Month totals: `/month` with ◀ ▶ for other months, and the card's "this month so far" line.

Answered from one Firestore query per month (the chat's records of that month); a chat's month
is tens to a few hundred receipts, so the sums are made here, exactly, in Decimal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape
from typing import Any

from babel.dates import format_date

from receiptbot.bot import buttons
from receiptbot.bot.card import category_name, day, money, plural
from receiptbot.bot.texts import Language, text
from receiptbot.cloud import records
from receiptbot.cloud.records import Record
from receiptbot.reading.model import Category


def this_month() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m")


def shift(month: str, by: int) -> str:
    year, number = map(int, month.split("-"))
    index = year * 12 + number - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def totals(month_records: list[Record]) -> dict[str, Decimal]:
    """The sum per currency of the counted records with a total."""
    sums: dict[str, Decimal] = {}
    for record in month_records:
        if record.counted and record.receipt.total is not None:
            currency = record.receipt.currency or ""
            sums[currency] = sums.get(currency, Decimal(0)) + record.receipt.total
    return sums


def totals_text(sums: dict[str, Decimal], language: Language) -> str:
    """``1 234,50 ₽, 15,69 €``: each currency's sum, in the language's format."""
    return ", ".join(money(amount, currency, language) for currency, amount in sorted(sums.items())) or "—"


def month_line(chat_id: int, month: str | None, language: Language, user_id: int | None = None) -> str | None:
    """The card's last line: what the sender spent in the receipt's month so far (in a private
    chat the sender is the chat)."""
    if month is None:
        return None
    counted = [r for r in records.of_chat(chat_id, month, user_id) if r.counted]
    return escape(
        text(
            "card_month",
            language,
            month=month_name(month, language),
            totals=totals_text(totals(counted), language),
            receipts=plural("receipts", len(counted), language),
        )
    )


def month_name(month: str, language: Language) -> str:
    """ "январь 2024" / "January 2024", as it reads inside a sentence."""
    year, number = map(int, month.split("-"))
    return format_date(dt.date(year, number, 1), "LLLL yyyy", locale=language)


def month_title(month: str, language: Language) -> str:
    name = month_name(month, language)
    return name[:1].upper() + name[1:]


def summary(
    chat_id: int, month: str, user_id: int, language: Language, own: bool = False
) -> tuple[str, dict[str, Any]]:
    """The month's message and its ◀ ▶ keyboard (pressable by the user who asked). ``own``: only
    that user's receipts (in a group, each member's receipts are their own)."""
    counted = [r for r in records.of_chat(chat_id, month, user_id if own else None) if r.counted]
    lines = [f"📅 <b>{escape(month_title(month, language))}</b>"]
    if not counted:
        lines.append(text("month_empty", language))
    else:
        lines.append(
            f"{text('month_total', language)}: <b>{escape(totals_text(totals(counted), language))}</b>"
        )
        lines.append(escape(plural("receipts", len(counted), language)))
        lines += ["", f"<b>{text('month_by_category', language)}</b>"]
        for category, sums in sorted(by_category(counted).items(), key=lambda c: -sum(c[1].values())):
            lines.append(
                f"{escape(category_name(category, language))}: {escape(totals_text(sums, language))}"
            )
    keyboard = buttons.keyboard(
        [
            buttons.button(f"◀ {month_title(shift(month, -1), language)}", "mon", shift(month, -1), user_id),
            buttons.button(f"{month_title(shift(month, 1), language)} ▶", "mon", shift(month, 1), user_id),
        ]
    )
    return "\n".join(lines), keyboard


def by_category(counted: list[Record]) -> dict[Category, dict[str, Decimal]]:
    split: dict[Category, list[Record]] = {}
    for record in counted:
        split.setdefault(record.category, []).append(record)
    return {category: totals(group) for category, group in split.items()}


def export_caption(listed: list[Record], month: str | None, language: Language) -> str:
    """``37 чеков · март 2024 · 45 678,90 ₽``: what the file holds, for which time, and its sum."""
    if month is not None:
        when = month_name(month, language)
    else:
        dates = sorted(r.receipt.date for r in listed if r.receipt.date)
        when = f"{day(dates[0], language)}–{day(dates[-1], language)}" if dates else ""
    parts = [plural("receipts", len(listed), language), when, totals_text(totals(listed), language)]
    return " · ".join(part for part in parts if part and part != "—")
