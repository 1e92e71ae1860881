"""Every user-visible text exists in ru and en, is valid Telegram HTML, and fits Telegram's limits."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from string import Formatter

import pytest

from receiptbot.bot.card import render_card
from receiptbot.bot.texts import TEXTS, language_of, text
from receiptbot.cloud.records import Record
from receiptbot.reading.model import Check, Item, Merchant, Receipt, TaxLine
from receiptbot.telegram.limits import MAX_TEXT_LENGTH

TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote"}
TELEGRAM_ENTITIES = {"lt", "gt", "amp", "quot"}


class TelegramHTML(HTMLParser):
    """Fails on what Telegram's HTML parse mode rejects: unknown tags, unbalanced tags, unknown entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        assert tag in TELEGRAM_TAGS, f"<{tag}> is not supported by Telegram"
        self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_entityref(self, name):
        assert name in TELEGRAM_ENTITIES, f"&{name}; is not supported by Telegram"


def assert_valid_telegram_html(message: str) -> None:
    parser = TelegramHTML()
    parser.feed(message)
    parser.close()
    assert parser.open == [], f"unclosed tags {parser.open}"
    assert 0 < len(message) <= MAX_TEXT_LENGTH


SAMPLE_VALUES = {
    "retention": "30 дней",
    "limit": 20,
    "minutes": "10 минут",
    "until": "00:00",
    "privacy": "Photos are kept for 30 days.",
    "failed": "30 дней",
    "count": 3,
    "items_sum": "10.00",
    "total": "12.00",
    "date": "2031-01-01",
    "currency": "XYZ",
    "qr_total": "11.00",
    "qr_date": "2020-01-01",
    "totals": "1\u00a0234,50\u00a0₽, 12,00\u00a0€",
    "receipts": "3 чека",
    "period": "март 2024",
    "rate": "20 %",
    "account": "1234567890",
    "qr_account": "1234567891",
    "category": "Продукты",
    "month": "Январь 2024",
}


NOW = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_both_languages_and_is_valid_html(key: str) -> None:
    assert set(TEXTS[key]) == {"ru", "en"}
    fields = {name for _, name, _, _ in Formatter().parse(TEXTS[key]["en"]) if name}
    assert fields == {name for _, name, _, _ in Formatter().parse(TEXTS[key]["ru"]) if name}
    for language in ("ru", "en"):
        assert_valid_telegram_html(text(key, language, **{f: SAMPLE_VALUES[f] for f in fields}))
    assert re.search("[а-яА-Я]", TEXTS[key]["ru"]), "the Russian text is not in Russian"


def test_language_follows_the_users_language_code() -> None:
    assert language_of("ru") == language_of("ru-RU") == "ru"
    assert language_of("en") == language_of("de") == language_of(None) == "en"
    # Russian is an official language in Belarus and Kazakhstan; Ukrainian users are not answered in it.
    assert language_of("be") == language_of("kk") == "ru" and language_of("uk") == "en"


def result_with(**receipt: object) -> Record:
    return Record(
        receipt_id="1_2", chat_id=1, message_id=2, engine="test", receipt=Receipt(**receipt), read_at=NOW
    )


def test_card_escapes_what_was_read() -> None:
    card = render_card(
        result_with(merchant=Merchant(name="<b>Tom & Jerry</b>"), total=Decimal("5.00"), currency="EUR"), "en"
    )
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in card
    assert_valid_telegram_html(card)


def test_card_shows_total_date_items_tax_and_warnings_in_russian() -> None:
    result = result_with(
        merchant=Merchant(name="Пятёрочка"),
        date="2024-03-01",
        total=Decimal("1234.50"),
        currency="RUB",
        items=[Item(name="Хлеб", amount=Decimal("50.00"))],
        taxes=[TaxLine(rate="НДС 20%", amount=Decimal("205.75"))],
    )
    result.warnings = [Check(code="items_sum", values={"items_sum": "50.00", "total": "1234.50"})]
    card = render_card(result, "ru")
    assert "⚠️ сумма позиций 50,00\u00a0₽, а итог 1\u00a0234,50\u00a0₽" in card
    for expected in ("Пятёрочка", "01.03.2024", "1\u00a0234,50\u00a0₽", "Хлеб", "в т. ч. НДС 20\u00a0%"):
        assert expected in card
    assert_valid_telegram_html(card)


def test_a_long_receipt_is_shortened_to_fit_one_message() -> None:
    items = [Item(name="Very long product name " * 8 + str(i), amount=Decimal("1.00")) for i in range(300)]
    card = render_card(
        result_with(merchant=Merchant(name="Store"), total=Decimal("300.00"), items=items), "en"
    )
    assert_valid_telegram_html(card)
    assert re.search(r"… and \d+ more items", card)


def test_overlong_fields_are_shortened_without_breaking_the_html() -> None:
    # A misread can make any field huge; the card must stay one valid message, tags closed.
    receipt = result_with(
        merchant=Merchant(name="N" * 5000, address="<Street> & " * 800),
        total=Decimal("1.00"),
        taxes=[TaxLine(rate=f"{i}%", amount=Decimal("0.01")) for i in range(600)],
    )
    card = render_card(receipt, "en")
    assert len(card) <= MAX_TEXT_LENGTH
    assert_valid_telegram_html(card)
    assert "N" * 199 + "…" in card and "&lt;Street&gt; &amp;" in card
