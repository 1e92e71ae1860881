"""Bounded values: an amount from the model, a QR code or a user's fix cannot be huge, endless or
oddly signed, and text lengths are measured as Telegram measures them (UTF-16 code units)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from pydantic import ValidationError

from receiptbot.bot.receipts import BadValue, parse_total
from receiptbot.reading import validation
from receiptbot.reading.fiscal import FiscalQR
from receiptbot.reading.model import MAX_AMOUNT, Receipt, amount_or_none
from receiptbot.telegram.limits import cut, length

HUGE = ["1E+999999999", "-1E+999999999", "9" * 1000, "1E+12", "-1000000000000", "NaN", "-Infinity", "sNaN"]


@pytest.mark.parametrize("value", HUGE)
def test_an_amount_out_of_bounds_is_refused_at_once(value: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ValidationError):
        Receipt.model_validate_json(f'{{"total": "{value}"}}')
    assert time.perf_counter() - started < 0.05  # nothing is expanded: 10^9 digits would take seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("1E+3", "1000"),  # no exponent left for a formatter to expand
        ("0.333333333", "0.3333"),  # at most four decimals
        ("1E-999999999", "0.0000"),
        ("-12.50", "-12.50"),  # a discount line or a refund keeps its sign
        ("999999999999.9999", "999999999999.9999"),
    ],
)
def test_an_amount_in_bounds_keeps_its_value_with_few_digits(value: str, expected: str) -> None:
    amount = amount_or_none(value)
    assert amount is not None and str(amount) == expected
    assert abs(amount) < MAX_AMOUNT and amount.as_tuple().exponent >= -4


def test_items_and_taxes_are_bounded_too() -> None:
    with pytest.raises(ValidationError):
        Receipt.model_validate({"items": [{"name": "x", "amount": "1E+5000"}]})
    with pytest.raises(ValidationError):
        Receipt.model_validate({"taxes": [{"rate": "20%", "amount": "1E+5000"}]})


def test_a_qr_total_out_of_bounds_is_no_fact() -> None:
    qr = FiscalQR(date="2024-01-15", total="1E+999999999")
    receipt, warnings = validation.check(Receipt(total=Decimal("12.00")), qr, today=dt.date(2024, 2, 1))
    assert receipt.total == Decimal("12.00") and warnings == []


@pytest.mark.parametrize("value", ["1E+999999999", "1e9999", "-5", "0", "12.345", "1000000000"])
def test_a_users_fix_out_of_bounds_is_refused(value: str) -> None:
    with pytest.raises(BadValue):
        parse_total(value)


def test_lengths_are_counted_in_utf16_code_units_as_telegram_counts_them() -> None:
    assert length("abc") == 3
    assert length("ё") == 1  # in the BMP: one unit
    assert length("🧾") == 2  # outside it: a surrogate pair
    assert length("🧾" * 2048) == 4096 and len("🧾" * 2048) == 2048


def test_a_cut_never_splits_a_character_and_stays_within_the_limit() -> None:
    assert cut("ab🧾c", 3) == "ab"  # the emoji needs two units and does not fit
    assert cut("ab🧾c", 4) == "ab🧾"
    assert cut("short", 100) == "short"
    text = "🧾" * 600 + "x"
    assert length(cut(text, 1024)) <= 1024 and cut(text, 1024) == "🧾" * 512
