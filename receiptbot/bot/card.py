"""The answer card: a compact, escaped Telegram HTML message within Telegram's limits.

Numbers, dates and counts are written the way each language writes them, by Babel (CLDR):
``1 234,50 ₽`` and ``15.01.2024, 18:30`` in Russian, ``€1,234.50``/``1,234.50 RUB`` and
``15 Jan 2024, 18:30`` in English; "5 чеков" through CLDR's plural rules.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import escape
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from receiptbot.bot import buttons
from receiptbot.bot.texts import Language, text
from receiptbot.cloud.records import Record
from receiptbot.reading.fiscal import QR_ONLY_ENGINE
from receiptbot.reading.model import Category, DocumentType, Receipt, billing_month
from receiptbot.telegram.limits import MAX_TEXT_LENGTH, cut, length

MAX_ITEMS_SHOWN = 15
MAX_FIELD_LENGTH = 200  # characters of one field shown: a misread address can be any length
MINUS = "\u2212"  # a real minus sign: "-150,00 ₽" reads as a dash
# English has a symbol for few currencies ("RUB1,234.50" is Babel's fallback): the code goes after.
_CODE_AFTER = "#,##0.00\u00a0¤¤"
_DATE_PATTERNS: dict[Language, str] = {"ru": "dd.MM.yyyy", "en": "d MMM yyyy"}
# "ООО "Агроторг" Пятёрочка": a legal form and a quoted legal name, then the brand people know.
_LEGAL_FORMS = "ООО|ОАО|ЗАО|ПАО|АО|ИП|НКО|ГБУ|ГУП|МУП|ФГУП|АНО|LLC|GmbH|Ltd"
_LEGAL_THEN_BRAND = re.compile(rf"^((?:{_LEGAL_FORMS})\s*[\"«„“][^\"»“”]+[\"»“”])\s*[,;]?\s*(.+)$")
_QUOTED = re.compile(r"[\"„“]([^\"“”]+)[\"“”]")
# What the readers write as the payment method ("card", "Безналичными", "КАРТОЙ"...).
_CARD_WORDS = ("card", "карт", "безнал", "cashless", "электрон", "sbp", "сбп", "visa", "mastercard", "мир")
_CASH_WORDS = ("cash", "налич", "bar")
# Warnings about what the QR code already settled: told as information, not as "please check".
SETTLED = ("qr_total", "qr_date", "payqr_total", "payqr_account")
MONEY_VALUES = ("total", "qr_total", "items_sum")
DATE_VALUES = ("date", "qr_date")


def money(amount: Decimal | None, currency: str | None, language: Language = "en") -> str:
    """``1 234,50 ₽`` (ru), ``€1,234.50`` or ``1,234.50 RUB`` (en); ``−150,00 ₽`` for money back."""
    if amount is None:
        return "—"
    if not currency:
        return format_decimal(amount, "#,##0.00", locale=language).replace("-", MINUS)
    code_after = language == "en" and get_currency_symbol(currency, language) == currency
    pattern = _CODE_AFTER if code_after else None
    return format_currency(amount, currency, pattern, locale=language).replace("-", MINUS)


def number(value: Decimal, language: Language) -> str:
    """A quantity as printed, without decimal noise: 2.00 -> "2", 0.412 -> "0,412" (ru)."""
    return format_decimal(value.normalize(), "#,##0.###", locale=language)


def day(iso_date: str, language: Language) -> str:
    """``15.01.2024`` (ru), ``15 Jan 2024`` (en); what is not an ISO date is shown as it is."""
    try:
        return format_date(dt.date.fromisoformat(iso_date), _DATE_PATTERNS[language], locale=language)
    except ValueError:
        return iso_date


def moment(iso_date: str, time: str | None, language: Language) -> str:
    """``15.01.2024, 18:30`` (ru), ``15 Jan 2024, 18:30`` (en)."""
    return f"{day(iso_date, language)}, {time}" if time else day(iso_date, language)


def plural(key: str, count: int, language: Language) -> str:
    """``1 чек``, ``2 чека``, ``5 чеков``: the text ``<key>_<CLDR plural form>``."""
    form = Locale.parse(language).plural_form(count)
    return text(f"{key}_{form}", language, count=format_decimal(count, locale=language))


def period(value: str, language: Language) -> str:
    """A billing period: "03.2024" or "2024-03" -> "март 2024" / "March 2024"; free text as it is."""
    month = billing_month(value)
    if month is None:
        return value
    return format_date(dt.date.fromisoformat(f"{month}-01"), "LLLL yyyy", locale=language)


def brand_and_legal_name(name: str) -> tuple[str, str | None]:
    """``ООО "Агроторг" Пятёрочка`` -> (``Пятёрочка``, ``ООО «Агроторг»``): the brand first."""
    found = _LEGAL_THEN_BRAND.match(name.strip())
    if found is None:
        return _QUOTED.sub(r"«\1»", name), None
    return found[2], _QUOTED.sub(r"«\1»", found[1])


def payment_words(method: str, language: Language) -> str:
    """ "card", "Безналичными" -> «Оплата картой» / "Paid by card"; an unknown method as read."""
    folded = method.casefold()
    if any(word in folded for word in _CARD_WORDS):
        return text("card_paid_card", language)
    if any(word in folded for word in _CASH_WORDS):
        return text("card_paid_cash", language)
    return f"{text('card_payment', language)}: {field(method)}"


def field(value: str) -> str:
    """Escaped, and shortened before escaping: cutting the finished HTML could break a tag."""
    if length(value) > MAX_FIELD_LENGTH:
        value = cut(value, MAX_FIELD_LENGTH - 1) + "…"
    return escape(value)


_VAT_WORDS = re.compile(r"(?i)\b(?:НДС|VAT|MwSt|USt)\b\.?")


def tax_label(rate: str | None, language: Language) -> str:
    """«в т. ч. НДС 20 %» / "incl. VAT 20%": the tax is part of the total, not added to it."""
    bare = _VAT_WORDS.sub("", rate or "").strip()
    is_vat = bare != (rate or "").strip() or re.fullmatch(r"[\d.,]*\s*%?", bare)
    if language == "ru":
        bare = re.sub(r"(\d)\s*%", "\\1\u00a0%", bare)  # Russian puts a space before the percent sign
    return text("card_vat" if is_vat else "card_tax_other", language, rate=bare).strip()


def _header(record: Record, language: Language) -> list[str]:
    receipt = record.receipt
    if receipt.document_type in (DocumentType.utility_receipt, DocumentType.payment_receipt):
        return _bill_header(record, language)
    brand, legal_name = brand_and_legal_name(receipt.merchant.name or text("card_unknown_merchant", language))
    lines = [f"🧾 <b>{field(brand)}</b>"]
    if legal_name:
        lines.append(f"<i>{field(legal_name)}</i>")
    if receipt.merchant.address:
        lines.append(f"<i>{field(receipt.merchant.address)}</i>")
    if receipt.date:
        lines.append(f"{text('card_date', language)}: {field(moment(receipt.date, receipt.time, language))}")
    lines.append(_total_line(record, language))
    return lines


def _total_line(record: Record, language: Language) -> str:
    receipt = record.receipt
    refund = receipt.total is not None and receipt.total < 0
    label = text("card_refund" if refund else "card_total", language)
    line = f"<b>{label}: {escape(money(receipt.total, receipt.currency, language))}</b>"
    if any(check.code == "qr_confirmed" for check in record.warnings):
        line += f" {text('card_qr_confirmed', language)}"
    return line


def _bill_header(record: Record, language: Language) -> list[str]:
    """A utility bill or a payment: what it is for (the period), how much, which account, to whom."""
    receipt, payment = record.receipt, record.receipt.payment
    bill = receipt.document_type == DocumentType.utility_receipt
    title = text("card_bill" if bill else "card_payment_made", language)
    if payment and payment.period:
        title += " " + text("card_bill_for", language, period=period(payment.period, language))
    lines = [f"<b>{field(title)}</b>"]
    payee = (payment.payee if payment else None) or receipt.merchant.name
    if payee:
        lines.append(field(brand_and_legal_name(payee)[0]))
    amount = escape(money(receipt.total, receipt.currency, language))
    lines.append(f"<b>{text('card_to_pay' if bill else 'card_paid', language)}: {amount}</b>")
    if payment and payment.account:  # <code>: a tap copies it, for the bank's payment form
        lines.append(f"{text('card_account', language)}: <code>{field(payment.account)}</code>")
    if receipt.date:
        lines.append(f"{text('card_date', language)}: {field(moment(receipt.date, receipt.time, language))}")
    return lines


def _details(receipt: Receipt, language: Language) -> list[str]:
    lines = [
        f"{field(tax_label(tax.rate, language))}: {escape(money(tax.amount, receipt.currency, language))}"
        for tax in receipt.taxes
    ]
    if receipt.payment_method:
        lines.append(payment_words(receipt.payment_method, language))
    if receipt.payment and receipt.payment.purpose:
        lines.append(f"{text('card_purpose', language)}: {field(receipt.payment.purpose)}")
    return lines


def _item_lines(receipt: Receipt, language: Language, limit: int) -> list[str]:
    lines = []
    for item in receipt.items[:limit]:
        amount = escape(money(item.amount, receipt.currency, language))
        if item.quantity in (None, 1):
            lines.append(f"• {field(item.name)} — {amount}")
        elif item.unit_price is not None:
            price = escape(money(item.unit_price, receipt.currency, language))
            lines.append(f"• {field(item.name)} — {number(item.quantity, language)} × {price} = {amount}")
        else:
            lines.append(f"• {field(item.name)} — {number(item.quantity, language)} × … = {amount}")
    if len(receipt.items) > limit:
        lines.append(escape(plural("card_more", len(receipt.items) - limit, language)))
    return lines


def category_name(category: Category, language: Language) -> str:
    return text(f"cat_{category.value}", language)


def warning_text(code: str, values: dict[str, str], receipt: Receipt, language: Language) -> str:
    """A check's text, its amounts and dates written like the card's own."""
    shown: dict[str, Any] = dict(values)
    for key in MONEY_VALUES:
        if key in shown:
            shown[key] = money(Decimal(shown[key]), receipt.currency, language)
    for key in DATE_VALUES:
        if key in shown:
            shown[key] = day(shown[key], language)
    return text("warn_" + code, language, **shown)


def render_card(
    record: Record,
    language: Language,
    read_offline: bool = False,
    duplicate: str | None = None,
    month_line: str | None = None,
) -> str:
    """The card; the item list is shortened until the whole message fits in one Telegram message.

    ``read_offline``: Gemini failed, and the offline engine read this receipt; the card says so.
    ``duplicate``: what this receipt repeats, said when it is not counted. ``month_line``: the month so far.
    What the QR code settled is told as information (ℹ️); only the rest asks the user to check (⚠️).
    """
    receipt = record.receipt
    settled, warnings = [], []
    for check in record.warnings:
        if check.code == "qr_confirmed":
            continue  # shown as ✅ beside the total
        line = warning_text(check.code, check.values, receipt, language)
        (settled if check.code in SETTLED else warnings).append(line)
    limit = MAX_ITEMS_SHOWN
    while True:
        parts = _header(record, language)
        parts.append(f"🏷 {escape(category_name(record.category, language))}")
        if record.edited:
            parts.append(f"<i>{text('card_edited', language)}</i>")
        if duplicate and not record.counted:  # under the header, so shortening never drops it
            parts.append(f"<b>{duplicate}</b>")
        if read_offline:
            parts.append(f"<i>{text('card_read_offline', language)}</i>")
        if record.engine == QR_ONLY_ENGINE:
            bill = receipt.document_type in (DocumentType.utility_receipt, DocumentType.payment_receipt)
            parts.append(
                f"<i>{text('card_read_from_payment_qr' if bill else 'card_read_from_qr', language)}</i>"
            )
        parts += [f"ℹ️ {line}" for line in settled]
        items = _item_lines(receipt, language, limit)
        if items:
            parts += ["", f"<b>{text('card_items', language)}</b>", *items]
        details = _details(receipt, language)
        if details:
            parts += ["", *details]
        if warnings:
            parts += ["", f"<b>{text('card_check', language)}</b>", *(f"⚠️ {line}" for line in warnings)]
        if month_line:
            parts += ["", month_line]
        card = "\n".join(parts)
        if length(card) <= MAX_TEXT_LENGTH:
            return card
        if limit == 0:  # hundreds of tax or warning lines: keep the whole lines that fit
            while length(card) > MAX_TEXT_LENGTH:
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
