"""Checks on a read receipt, and the fiscal QR code winning over the model, end to end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from helpers import user_of
from synthetic import FISCAL, encode, synthetic_scan

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.cloud import records
from receiptbot.reading.fiscal import FiscalQR
from receiptbot.reading.model import Item, Receipt
from receiptbot.reading.validation import check

TODAY = dt.date(2026, 11, 25)


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def test_a_consistent_receipt_has_no_warnings() -> None:
    receipt = Receipt(
        date="2026-11-24",
        total=Decimal("3.00"),
        currency="eur",
        items=[Item(name="a", amount=Decimal("1.00")), Item(name="b", amount=Decimal("2.00"))],
    )
    checked, warnings = check(receipt, None, TODAY)
    assert warnings == [] and checked.currency == "EUR"


def test_what_does_not_add_up_is_flagged_not_hidden() -> None:
    receipt = Receipt(
        date="2026-12-01",
        total=Decimal("5.00"),
        currency="ABC",
        items=[Item(name="a", amount=Decimal("1.00"))],
    )
    checked, warnings = check(receipt, None, TODAY)
    assert codes(warnings) == ["items_sum", "future_date", "currency"]
    assert (
        checked.total == Decimal("5.00") and checked.date == "2026-12-01"
    )  # shown as read, with the warning


def test_a_date_that_is_no_date_is_dropped_and_a_missing_total_flagged() -> None:
    checked, warnings = check(Receipt(date="2026-13-45"), None, TODAY)
    assert checked.date is None and codes(warnings) == ["no_total"]


def test_the_fiscal_qr_code_wins_and_a_mismatch_is_flagged() -> None:
    qr = FiscalQR(date="2024-01-15", time="18:30", total="1234.50")
    checked, warnings = check(Receipt(date="2024-01-16", total=Decimal("1243.50")), qr, TODAY)
    assert (checked.total, checked.date, checked.time, checked.currency) == (
        Decimal("1234.50"),
        "2024-01-15",
        "18:30",
        "RUB",
    )
    assert codes(warnings) == ["qr_total", "qr_date"]


def test_a_receipt_with_a_fiscal_qr_code_end_to_end(
    gemini_stack: LocalStack, gemini_user: TelegramUser
) -> None:
    """preprocess reads the QR code into the event; extract prefers it over a misread model answer."""
    model_answer = {
        "merchant": {"name": "Пятёрочка"},
        "date": "2024-01-15",
        "total": "1243.50",
        "currency": "RUB",
    }
    previous, gemini_stack.gemini.answer = gemini_stack.gemini.answer, model_answer
    try:
        ru_user = user_of(gemini_stack, "ru")
        sent = ru_user.send_photo(encode(synthetic_scan(FISCAL)))
        answer = ru_user.wait_for_answer(sent.message_id)
    finally:
        gemini_stack.gemini.answer = previous
    rid = layout.receipt_id(ru_user.chat_id, sent.message_id)
    result = records.get(rid)
    assert result.receipt.total == Decimal("1234.50") and result.receipt.time == "18:30"
    assert codes(result.warnings) == ["qr_total"]
    assert "1\u00a0234,50\u00a0₽" in answer["text"]
    assert "ℹ️ Сумма взята из QR-кода: 1\u00a0234,50\u00a0₽" in answer["text"]  # settled, not "please check"
