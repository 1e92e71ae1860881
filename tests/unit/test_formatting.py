"""Amounts, dates, counts and words as each language writes them (Babel/CLDR), on the card and in
/month: ``1 234,50 ₽`` and ``15.01.2024, 18:30`` in Russian, ``€1,234.50`` and ``15 Jan 2024`` in English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from receiptbot.bot import month
from receiptbot.bot.card import (
    brand_and_legal_name,
    day,
    moment,
    money,
    number,
    payment_words,
    period,
    plural,
    render_card,
    tax_label,
)
from receiptbot.bot.receipts import sent_date
from receiptbot.bot.texts import text
from receiptbot.cloud.records import Record
from receiptbot.reading.model import Category, Check, Item, Merchant, Receipt, TaxLine

NBSP = "\u00a0"
NOW = dt.datetime(2024, 1, 20, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("amount", "currency", "ru", "en"),
    [
        ("1234.50", "RUB", f"1{NBSP}234,50{NBSP}₽", f"1,234.50{NBSP}RUB"),
        ("15.69", "EUR", f"15,69{NBSP}€", "€15.69"),
        ("2.5", "USD", f"2,50{NBSP}$", "$2.50"),
        ("-150", "RUB", f"\u2212150,00{NBSP}₽", f"\u2212150.00{NBSP}RUB"),  # a real minus: money back
        ("1000000", None, f"1{NBSP}000{NBSP}000,00", "1,000,000.00"),
    ],
)
def test_amounts(amount: str, currency: str | None, ru: str, en: str) -> None:
    assert money(Decimal(amount), currency, "ru") == ru
    assert money(Decimal(amount), currency, "en") == en
    assert money(None, "RUB", "ru") == "—"


def test_dates_times_quantities_and_periods() -> None:
    assert moment("2024-01-15", "18:30", "ru") == "15.01.2024, 18:30"
    assert moment("2024-01-15", "18:30", "en") == "15 Jan 2024, 18:30"
    assert day("2024-01-15", "en") == "15 Jan 2024" and day("not a date", "ru") == "not a date"
    assert (
        number(Decimal("2.00"), "ru"),
        number(Decimal("0.412"), "ru"),
        number(Decimal("0.412"), "en"),
    ) == (
        "2",
        "0,412",
        "0.412",
    )
    assert (period("03.2024", "ru"), period("2024-03", "en"), period("март 2024", "ru")) == (
        "март 2024",
        "March 2024",
        "март 2024",
    )
    assert period("13.2024", "ru") == "13.2024"  # not a month: shown as read


@pytest.mark.parametrize(
    ("count", "ru", "en"),
    [
        (1, "1 чек", "1 receipt"),
        (2, "2 чека", "2 receipts"),
        (5, "5 чеков", "5 receipts"),
        (11, "11 чеков", "11 receipts"),
        (21, "21 чек", "21 receipts"),
        (1234, f"1{NBSP}234 чека", "1,234 receipts"),
    ],
)
def test_plurals(count: int, ru: str, en: str) -> None:
    assert plural("receipts", count, "ru") == ru and plural("receipts", count, "en") == en


def test_words_for_the_payment_the_tax_and_the_shop() -> None:
    assert [payment_words(m, "ru") for m in ("card", "Безналичными", "НАЛИЧНЫМИ", "cash")] == [
        "Оплата картой",
        "Оплата картой",
        "Оплата наличными",
        "Оплата наличными",
    ]
    assert (
        payment_words("card", "en") == "Paid by card" and payment_words("Bitcoin", "en") == "Paid by: Bitcoin"
    )
    assert (
        tax_label("НДС 20%", "ru") == f"в т. ч. НДС 20{NBSP}%"
        and tax_label("НДС 20%", "en") == "incl. VAT 20%"
    )
    assert tax_label("A 19%", "en") == "incl. tax A 19%"
    assert brand_and_legal_name('ООО "Агроторг" Пятёрочка') == ("Пятёрочка", "ООО «Агроторг»")
    assert brand_and_legal_name('АО "Тандер"') == ("АО «Тандер»", None) and brand_and_legal_name("LIDL") == (
        "LIDL",
        None,
    )


def shop_record(**fields: object) -> Record:
    receipt = Receipt(
        merchant=Merchant(name='ООО "Агроторг" Пятёрочка'),
        date="2024-01-15",
        time="18:30",
        total=Decimal("1234.50"),
        currency="RUB",
        payment_method="card",
        taxes=[TaxLine(rate="НДС 20%", amount=Decimal("150.75"))],
        items=[
            Item(
                name="Молоко", quantity=Decimal("2.00"), unit_price=Decimal("89.99"), amount=Decimal("179.98")
            ),
            Item(name="Сыр Российский", quantity=Decimal("0.412"), amount=Decimal("329.19")),
            Item(name="Хлеб", amount=Decimal("64.99")),
        ],
    )
    return Record(
        receipt_id="1_2", chat_id=1, message_id=2, engine="test", receipt=receipt, read_at=NOW,
        category=Category.groceries, **fields,
    )  # fmt: skip


def test_the_russian_card() -> None:
    card = render_card(shop_record(warnings=[Check(code="future_date", values={"date": "2031-01-01"})]), "ru")
    for line in (
        "🧾 <b>Пятёрочка</b>",
        "<i>ООО «Агроторг»</i>",
        "Дата: 15.01.2024, 18:30",
        f"<b>Итого: 1{NBSP}234,50{NBSP}₽</b>",
        f"• Молоко — 2 × 89,99{NBSP}₽ = 179,98{NBSP}₽",
        f"• Сыр Российский — 0,412 × … = 329,19{NBSP}₽",
        f"• Хлеб — 64,99{NBSP}₽",
        f"в т. ч. НДС 20{NBSP}%: 150,75{NBSP}₽",
        "Оплата картой",
        "⚠️ дата 01.01.2031 в будущем",
    ):
        assert line in card.splitlines(), line


def test_the_english_card() -> None:
    card = render_card(shop_record(), "en")
    for line in (
        "Date: 15 Jan 2024, 18:30",
        f"<b>Total: 1,234.50{NBSP}RUB</b>",
        f"incl. VAT 20%: 150.75{NBSP}RUB",
        "Paid by card",
    ):
        assert line in card.splitlines(), line


def test_the_month_in_both_languages(fake_records) -> None:
    for message_id, total, currency in ((2, "1234.50", "RUB"), (3, "100.00", "RUB"), (4, "15.69", "EUR")):
        record = shop_record().model_copy(update={"receipt_id": f"1_{message_id}", "message_id": message_id})
        record.receipt.total, record.receipt.currency = Decimal(total), currency
        fake_records.save(record)
    assert (
        month.month_line(1, "2024-01", "ru")
        == f"Потрачено за январь 2024: 15,69{NBSP}€, 1{NBSP}334,50{NBSP}₽ (3 чека)"
    )
    assert (
        month.month_line(1, "2024-01", "en")
        == f"Spent in January 2024: €15.69, 1,334.50{NBSP}RUB (3 receipts)"
    )
    text, _ = month.summary(1, "2024-01", 1, "ru")
    assert "3 чека" in text.splitlines() and f"Продукты: 15,69{NBSP}€, 1{NBSP}334,50{NBSP}₽" in text


def test_help_says_how_long_in_days_as_words() -> None:
    from receiptbot.bot.commands import help_text
    from receiptbot.config import Settings

    ru = help_text(Settings(raw_retention_days=30, failed_retention_days=1), group=False, language="ru")
    en = help_text(Settings(raw_retention_days=21, failed_retention_days=2), group=False, language="en")
    assert "фото хранятся 30 дней" in ru and "— 1 день (чтобы" in ru and "дн." not in ru
    assert "kept for 21 days" in en and "for 2 days (so" in en


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("ru", "Уже сохранён: этот чек вы присылали 15.01.2024. Второй раз он не учтён."),
        ("en", "Already saved: you sent this receipt on 15 Jan 2024. It is not counted twice."),
    ],
)
def test_a_duplicate_names_the_day_of_the_original_as_the_card_writes_dates(language, sentence) -> None:
    original = Record(
        receipt_id="1_1",
        chat_id=1,
        message_id=1,
        sent_at=int(dt.datetime(2024, 1, 15, 18, 30, tzinfo=dt.UTC).timestamp()),
        engine="test",
        receipt=Receipt(),
        read_at=NOW,
    )
    assert text("card_duplicate", language, date=sent_date(original, language)) == sentence


def test_an_exports_caption_says_how_many_receipts_for_when_and_their_sum() -> None:
    def saved(date: str, total: str, currency: str) -> Record:
        receipt = Receipt(date=date, total=Decimal(total), currency=currency)
        return Record(receipt_id="1_1", chat_id=1, message_id=1, engine="test", receipt=receipt, read_at=NOW)

    listed = [saved("2024-03-02", "1234.50", "RUB"), saved("2024-01-15", "10.00", "RUB")]
    assert month.export_caption(listed, "2024-03", "ru") == f"2 чека · март 2024 · 1{NBSP}244,50{NBSP}₽"
    assert month.export_caption([*listed, saved("2024-02-01", "5.00", "EUR")], None, "en") == (
        f"3 receipts · 15 Jan 2024–2 Mar 2024 · €5.00, 1,244.50{NBSP}RUB"
    )
