"""The answer card: a compact, escaped Telegram HTML message within Telegram's limits."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from receiptbot.bot.texts import Language, text
from receiptbot.reading.fiscal import QR_ONLY_ENGINE
from receiptbot.reading.model import ExtractionResult, Receipt
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


def render_result(result: ExtractionResult, language: Language, read_offline: bool = False) -> str:
    """The card; the item list is shortened until the whole message fits in one Telegram message.

    ``read_offline``: Gemini failed, and the offline engine read this receipt; the card says so.
    """
    receipt = result.receipt
    warnings = [f"⚠️ {text('warn_' + w.code, language, **w.values)}" for w in result.warnings]
    limit = MAX_ITEMS_SHOWN
    while True:
        parts = _header(receipt, language)
        if read_offline:  # under the header, so shortening the card never drops it
            parts.append(f"<i>{text('card_read_offline', language)}</i>")
        if result.engine == QR_ONLY_ENGINE:
            parts.append(f"<i>{text('card_read_from_qr', language)}</i>")
        items = _item_lines(receipt, language, limit)
        if items:
            parts += ["", f"<b>{text('card_items', language)}</b>", *items]
        details = _details(receipt, language)
        if details:
            parts += ["", *details]
        if warnings:
            parts += ["", f"<b>{text('card_check', language)}</b>", *warnings]
        card = "\n".join(parts)
        if len(card) <= MAX_TEXT_LENGTH:
            return card
        if limit == 0:  # hundreds of tax or warning lines: keep the whole lines that fit
            while len(card) > MAX_TEXT_LENGTH:
                parts.pop()
                card = "\n".join(parts)
            return card
        limit //= 2
