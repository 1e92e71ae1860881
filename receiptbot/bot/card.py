"""The answer card: a compact, escaped Telegram HTML message within Telegram's limits."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from receiptbot.bot import buttons
from receiptbot.bot.texts import Language, text
from receiptbot.cloud.records import Record
from receiptbot.reading.fiscal import QR_ONLY_ENGINE
from receiptbot.reading.model import Category, Receipt
from receiptbot.telegram.limits import MAX_TEXT_LENGTH

MAX_ITEMS_SHOWN = 15
MAX_FIELD_LENGTH = 200  # characters of one field shown: a misread address can be any length
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "RUB": "₽", "GBP": "£"}


def money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return "—"
    value = f"{amount:,.2f}".replace(",", " ")
    symbol = CURRENCY_SYMBOLS.get(currency or "", currency or "")
    return f"{value} {symbol}".strip()


def field(value: str) -> str:
    """Escaped, and shortened before escaping: cutting the finished HTML could break a tag."""
    if len(value) > MAX_FIELD_LENGTH:
        value = value[: MAX_FIELD_LENGTH - 1] + "…"
    return escape(value)


def _header(receipt: Receipt, language: Language) -> list[str]:
    name = receipt.merchant.name or text("card_unknown_merchant", language)
    lines = [f"🧾 <b>{field(name)}</b>"]
    if receipt.merchant.address:
        lines.append(f"<i>{field(receipt.merchant.address)}</i>")
    if receipt.date:
        when = f"{receipt.date} {receipt.time or ''}".strip()
        lines.append(f"{text('card_date', language)}: {field(when)}")
    lines.append(f"<b>{text('card_total', language)}: {escape(money(receipt.total, receipt.currency))}</b>")
    return lines


def _details(receipt: Receipt, language: Language) -> list[str]:
    lines = []
    for tax in receipt.taxes:
        label = f"{text('card_tax', language)} {tax.rate or ''}".strip()
        lines.append(f"{field(label)}: {escape(money(tax.amount, receipt.currency))}")
    if receipt.payment_method:
        lines.append(f"{text('card_payment', language)}: {field(receipt.payment_method)}")
    if receipt.payment:
        for key, value in (
            ("card_payee", receipt.payment.payee),
            ("card_account", receipt.payment.account),
            ("card_period", receipt.payment.period),
        ):
            if value:
                lines.append(f"{text(key, language)}: {field(value)}")
    return lines


def _item_lines(receipt: Receipt, language: Language, limit: int) -> list[str]:
    lines = []
    for item in receipt.items[:limit]:
        quantity = f"{item.quantity:g} × " if item.quantity not in (None, 1) else ""
        lines.append(f"• {field(quantity + item.name)} — {escape(money(item.amount, receipt.currency))}")
    if len(receipt.items) > limit:
        lines.append(text("card_more", language, count=len(receipt.items) - limit))
    return lines


def category_name(category: Category, language: Language) -> str:
    return text(f"cat_{category.value}", language)


def render_card(
    record: Record,
    language: Language,
    read_offline: bool = False,
    duplicate_date: str | None = None,
    month_line: str | None = None,
) -> str:
    """The card; the item list is shortened until the whole message fits in one Telegram message.

    ``read_offline``: Gemini failed, and the offline engine read this receipt; the card says so.
    ``duplicate_date``: this receipt was saved before, on that date. ``month_line``: the month so far.
    """
    receipt = record.receipt
    warnings = [f"⚠️ {text('warn_' + w.code, language, **w.values)}" for w in record.warnings]
    limit = MAX_ITEMS_SHOWN
    while True:
        parts = _header(receipt, language)
        parts.append(f"🏷 {escape(category_name(record.category, language))}")
        if record.edited:
            parts.append(f"<i>{text('card_edited', language)}</i>")
        if duplicate_date and not record.counted:  # under the header, so shortening never drops it
            parts.append(f"<b>{text('card_duplicate', language, date=duplicate_date)}</b>")
        if read_offline:
            parts.append(f"<i>{text('card_read_offline', language)}</i>")
        if record.engine == QR_ONLY_ENGINE:
            parts.append(f"<i>{text('card_read_from_qr', language)}</i>")
        items = _item_lines(receipt, language, limit)
        if items:
            parts += ["", f"<b>{text('card_items', language)}</b>", *items]
        details = _details(receipt, language)
        if details:
            parts += ["", *details]
        if warnings:
            parts += ["", f"<b>{text('card_check', language)}</b>", *warnings]
        if month_line:
            parts += ["", month_line]
        card = "\n".join(parts)
        if len(card) <= MAX_TEXT_LENGTH:
            return card
        if limit == 0:  # hundreds of tax or warning lines: keep the whole lines that fit
            while len(card) > MAX_TEXT_LENGTH:
                parts.pop()
                card = "\n".join(parts)
            return card
        limit //= 2


def card_keyboard(record: Record, language: Language) -> dict[str, Any]:
    """✏️ Fix, 🏷 Category, 🗑 Delete; for a duplicate, Keep anyway first. Only the sender may press."""
    owner, rid = owner_of(record), record.receipt_id
    keep = [buttons.button(text("btn_keep", language), "keep", rid, owner)] if not record.counted else []
    return buttons.keyboard(
        keep,
        [
            buttons.button(text("btn_fix", language), "fix", rid, owner),
            buttons.button(text("btn_category", language), "cat", rid, owner),
            buttons.button(text("btn_delete", language), "del", rid, owner),
        ],
    )


def owner_of(record: Record) -> int:
    """Who may press the record's buttons: its sender (a private chat's id is its user's id)."""
    return record.user_id if record.user_id is not None else record.chat_id
