"""The ГОСТ Р 56042-2014 payment QR code of a bill, and the fiscal code's refunds and confirmations:
decoded from real QR images, applied to a reading, and shown on the card."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
import zxingcpp
from documents import PAYMENT_QR, qr_image

from receiptbot.bot.card import render_card
from receiptbot.bot.texts import text
from receiptbot.cloud.records import Record
from receiptbot.reading.fiscal import QR_ONLY_ENGINE, apply_fiscal_qr, parse_fiscal_qr
from receiptbot.reading.imaging.qr import find_qr_codes
from receiptbot.reading.model import DocumentType, Merchant, PaymentDetails, Receipt, billing_month
from receiptbot.reading.payment_qr import PaymentQR, apply_payment_qr, parse_payment_qr

EXPECTED = PaymentQR(
    payee="ГБУ «Жилищник района Марьино»",
    payee_account="40603810300000000123",
    payee_inn="7723456789",
    bic="044525225",
    total="6843.27",
    account="1234567890",
    period="2024-03",
    purpose="Оплата ЖКУ за 03.2024",
)


def on_paper(code: np.ndarray) -> np.ndarray:
    paper = np.full((code.shape[0] + 200, code.shape[1] + 200), 250, np.uint8)
    paper[100:-100, 100:-100] = code
    return paper


def test_the_payment_code_is_read_off_a_picture_in_utf8() -> None:
    assert find_qr_codes(on_paper(qr_image(PAYMENT_QR))).payment == EXPECTED


def test_a_windows_1251_code_is_decoded_by_its_encoding_flag() -> None:
    """Most bank software writes the code in windows-1251 (flag 1), with no ECI for the reader."""
    raw = PAYMENT_QR.replace("ST00012", "ST00011").encode("cp1251")
    barcode = zxingcpp.create_barcode(raw, zxingcpp.BarcodeFormat.QRCode)
    picture = on_paper(np.array(barcode.to_image(scale=4)))
    assert find_qr_codes(picture).payment == EXPECTED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"ST00012|name=A|personalAcc=1|persAcc=77|paymPeriod=122023|Sum=100", ("1.00", "77", "2023-12")),
        (b"ST00012#Name=A#PersonalAcc=1#Sum=abc#PaymPeriod=13.2024", (None, None, None)),  # '#' separates
        ("ST00013|Name=ЖКУ|PersonalAcc=1|Sum=0".encode("koi8_r"), (None, None, None)),
    ],
)
def test_field_names_any_case_any_separator_and_bad_values_dropped(raw: bytes, expected: tuple) -> None:
    qr = parse_payment_qr(raw)
    assert qr is not None and (qr.total, qr.account, qr.period) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b"t=20240115T1830&s=1234.50&fn=1&i=2&fp=3&n=1",  # a fiscal code
        b"https://example.com/promo",
        b"ST00012|Name=No account",  # PersonalAcc is required
        b"ST00019|Name=A|PersonalAcc=1",  # no such encoding
        b"ST00012",
        "ST00012|Name=Тест|PersonalAcc=1".encode("cp1251"),  # flag says UTF-8, bytes are not
    ],
)
def test_what_is_not_a_payment_code_is_none(raw: bytes) -> None:
    assert parse_payment_qr(raw) is None


def test_the_code_wins_over_the_reading_and_a_mismatch_is_told() -> None:
    read = Receipt(
        document_type=DocumentType.shop_receipt,
        total=Decimal("6848.27"),
        currency="EUR",
        payment=PaymentDetails(account="1234567891", period="март 2024"),
    )
    receipt, checks = apply_payment_qr(read, EXPECTED)
    assert receipt.total == Decimal("6843.27") and receipt.currency == "RUB"
    assert receipt.document_type == DocumentType.utility_receipt  # a code on a bill: a bill to pay
    assert (receipt.payment.account, receipt.payment.period) == ("1234567890", "2024-03")
    assert receipt.merchant.name == EXPECTED.payee and receipt.merchant.tax_id == "7723456789"
    assert [c.code for c in checks] == ["payqr_total", "payqr_account"]


def test_a_payment_made_stays_a_payment() -> None:
    receipt, checks = apply_payment_qr(Receipt(document_type=DocumentType.payment_receipt), EXPECTED)
    assert receipt.document_type == DocumentType.payment_receipt and checks == []


def record(receipt: Receipt, checks: list) -> Record:
    return Record(
        receipt_id="1_2", chat_id=1, message_id=2, engine="test", receipt=receipt, warnings=checks,
        read_at="2024-04-03T10:00:00Z",
    )  # fmt: skip


def test_the_utility_card_leads_with_the_period_the_amount_and_the_account() -> None:
    receipt, checks = apply_payment_qr(Receipt(total=Decimal("6848.27"), date="2024-04-03"), EXPECTED)
    card = render_card(record(receipt, checks), "ru")
    lines = card.splitlines()
    assert lines[0] == "<b>🏠 Квитанция ЖКХ за март 2024</b>"
    assert lines[1] == "ГБУ «Жилищник района Марьино»"
    assert lines[2] == "<b>К оплате: 6\u00a0843,27\u00a0₽</b>"
    assert lines[3] == "Лицевой счёт: <code>1234567890</code>"  # a tap copies it
    assert (
        "ℹ️ Сумма взята из QR-кода для оплаты: 6\u00a0843,27\u00a0₽ (на фото прочитано 6\u00a0848,27\u00a0₽)"
        in card
    )
    assert "Проверьте" not in card  # the code settled it: nothing for the user to check
    en = render_card(record(receipt, checks), "en")
    assert en.splitlines()[0] == "<b>🏠 Utility bill for March 2024</b>" and "To pay: ₽" not in en
    assert "To pay: 6,843.27\u00a0RUB" in en


def test_a_payment_confirmation_says_paid() -> None:
    receipt, _ = apply_payment_qr(Receipt(document_type=DocumentType.payment_receipt), EXPECTED)
    card = render_card(record(receipt, []), "ru")
    assert (
        card.splitlines()[0] == "<b>💳 Платёж за март 2024</b>" and "Оплачено: 6\u00a0843,27\u00a0₽" in card
    )


def test_a_close_up_of_only_the_payment_code_says_so() -> None:
    receipt, _ = apply_payment_qr(Receipt(), EXPECTED)
    only_qr = record(receipt, []).model_copy(update={"engine": QR_ONLY_ENGINE})
    card = render_card(only_qr, "ru")
    assert text("card_read_from_payment_qr", "ru") in card and text("card_read_from_qr", "ru") not in card


@pytest.mark.parametrize(
    ("period", "month"),
    [("03.2024", "2024-03"), ("032024", "2024-03"), ("3/2024", "2024-03"), ("2024-03", "2024-03"),
     ("13.2024", None), ("март 2024", None), (None, None)],
)  # fmt: skip
def test_a_billing_period_is_one_month(period: str | None, month: str | None) -> None:
    assert billing_month(period) == month


def test_a_bill_and_its_payment_share_a_key_and_another_month_does_not() -> None:
    bill, _ = apply_payment_qr(Receipt(), EXPECTED)
    paid = bill.model_copy(update={"document_type": DocumentType.payment_receipt})
    april = bill.model_copy(update={"payment": bill.payment.model_copy(update={"period": "04.2024"})})
    shop = Receipt(payment=PaymentDetails(account="1234567890", period="2024-03"))
    keys = [record(r, []).bill_key for r in (bill, paid, april, shop)]
    assert keys == ["1234567890|2024-03", "1234567890|2024-03", "1234567890|2024-04", None]


FISCAL_SALE = "t=20240115T1830&s=1234.50&fn=9289000100123456&i=12345&fp=1234567890&n=1"


def test_a_fiscal_code_that_agrees_marks_the_total_as_checked() -> None:
    read = Receipt(
        merchant=Merchant(name='ООО "Агроторг" Пятёрочка'), date="2024-01-15", total=Decimal("1234.50")
    )
    receipt, checks = apply_fiscal_qr(read, parse_fiscal_qr(FISCAL_SALE))
    assert [c.code for c in checks] == ["qr_confirmed"]
    assert (receipt.fiscal.fn, receipt.fiscal.fd, receipt.fiscal.fp) == (
        "9289000100123456",
        "12345",
        "1234567890",
    )
    card = render_card(record(receipt, checks), "ru")
    assert card.splitlines()[:4] == [
        "🧾 <b>Пятёрочка</b>",
        "<i>ООО «Агроторг»</i>",
        "Дата: 15.01.2024, 18:30",
        "<b>Итого: 1\u00a0234,50\u00a0₽</b> ✅ сверено с QR-кодом",
    ]


def test_a_fiscal_code_that_disagrees_says_what_it_took() -> None:
    read = Receipt(date="2024-01-16", total=Decimal("1243.50"))
    receipt, checks = apply_fiscal_qr(read, parse_fiscal_qr(FISCAL_SALE))
    assert [c.code for c in checks] == ["qr_total", "qr_date"]
    card = render_card(record(receipt, checks), "ru")
    assert "ℹ️ Сумма взята из QR-кода: 1\u00a0234,50\u00a0₽ (на фото прочитано 1\u00a0243,50\u00a0₽)" in card
    assert "ℹ️ Дата взята из QR-кода: 15.01.2024 (на фото прочитано 16.01.2024)" in card
    assert "✅" not in card and "Проверьте" not in card


@pytest.mark.parametrize("kind", [2, 4])
def test_a_refund_is_money_back(kind: int) -> None:
    refund = parse_fiscal_qr(FISCAL_SALE.replace("n=1", f"n={kind}"))
    assert refund.refund
    receipt, checks = apply_fiscal_qr(Receipt(date="2024-01-15", total=Decimal("1234.50")), refund)
    assert receipt.total == Decimal("-1234.50") and [c.code for c in checks] == ["qr_confirmed"]
    card = render_card(record(receipt, checks), "ru")
    assert "<b>↩️ Возврат: \u22121\u00a0234,50\u00a0₽</b>" in card


def test_a_sale_is_not_a_refund() -> None:
    assert not parse_fiscal_qr(FISCAL_SALE).refund
    assert not parse_fiscal_qr(FISCAL_SALE.replace("&n=1", "")).refund
