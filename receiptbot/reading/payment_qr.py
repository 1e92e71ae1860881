"""The payment QR code of a Russian bill (ГОСТ Р 56042-2014), printed on most квитанции ЖКХ and ЕПД:
``ST00012|Name=…|PersonalAcc=…|BankName=…|BIC=…|CorrespAcc=…|PayeeINN=…|Sum=<kopecks>|PersAcc=…|
PaymPeriod=MM.YYYY|Purpose=…``. Like the fiscal code it is exact, and decoded offline: its amount,
payee, account and period win over what was read from the print.

The header is ``ST0001`` and one digit for the encoding (1 windows-1251, 2 UTF-8, 3 KOI8-R); the
character after it separates the fields (``|`` in practice). Field names are matched without
case: banks print ``PersAcc`` and ``persAcc`` alike.
"""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel

from receiptbot.reading.model import (
    Check,
    DocumentType,
    PaymentDetails,
    Receipt,
    amount_or_none,
    billing_month,
)

_HEADER = re.compile(rb"^ST0001([123])")
_ENCODINGS = {b"1": "cp1251", b"2": "utf-8", b"3": "koi8_r"}
MAX_FIELD = 300  # the standard's longest field (Purpose) is 210 characters


class PaymentQR(BaseModel):
    """What a bill's payment QR code says."""

    payee: str  # Name: who is paid
    payee_account: str  # PersonalAcc: the payee's bank account
    payee_inn: str | None = None
    bic: str | None = None
    total: str | None = None  # rubles as decimal text ("6843.27"); the code holds kopecks
    account: str | None = None  # PersAcc: the payer's лицевой счёт
    period: str | None = None  # "YYYY-MM"
    purpose: str | None = None


def parse_payment_qr(raw: bytes) -> PaymentQR | None:
    """The QR code's bytes -> PaymentQR; None if it is not a ГОСТ Р 56042 payment code."""
    header = _HEADER.match(raw)
    if header is None or len(raw) <= 7:
        return None
    try:
        text = raw.decode(_ENCODINGS[header[1]])
    except UnicodeDecodeError:
        return None
    separator = text[7]
    fields = {}
    for part in text[8:].split(separator):
        name, equals, value = part.partition("=")
        if equals and value.strip():
            fields[name.strip().casefold()] = value.strip()[:MAX_FIELD]
    if "name" not in fields or "personalacc" not in fields:  # the standard's required fields
        return None
    return PaymentQR(
        payee=fields["name"],
        payee_account=fields["personalacc"],
        payee_inn=fields.get("payeeinn"),
        bic=fields.get("bic"),
        total=_rubles(fields.get("sum")),
        account=fields.get("persacc"),
        period=billing_month(fields.get("paymperiod")),
        purpose=fields.get("purpose"),
    )


def _rubles(kopecks: str | None) -> str | None:
    if kopecks is None or not kopecks.isascii() or not kopecks.isdigit():
        return None
    rubles = amount_or_none(Decimal(kopecks).scaleb(-2))  # bounded like every amount
    return str(rubles) if rubles is not None and rubles > 0 else None


def apply_payment_qr(receipt: Receipt, qr: PaymentQR) -> tuple[Receipt, list[Check]]:
    """The receipt with the code's facts applied, and what the print had read differently.

    The code is printed on the bill, so the document is a bill to pay, unless it was read as the
    confirmation of a payment made (a bank's receipt can carry the bill's code too).
    """
    receipt = receipt.model_copy(deep=True)
    checks = []
    payment = receipt.payment or PaymentDetails()
    if qr.total is not None:
        if receipt.total is not None and receipt.total != Decimal(qr.total):
            checks.append(
                Check(code="payqr_total", values={"qr_total": qr.total, "total": str(receipt.total)})
            )
        receipt.total = Decimal(qr.total)
        receipt.currency = "RUB"  # the standard is the Russian banks': rubles
    if qr.account is not None:
        if payment.account and payment.account != qr.account:
            checks.append(
                Check(code="payqr_account", values={"qr_account": qr.account, "account": payment.account})
            )
        payment.account = qr.account
    payment.payee = qr.payee
    payment.period = qr.period or payment.period
    payment.purpose = payment.purpose or qr.purpose
    receipt.payment = payment
    receipt.merchant.name = receipt.merchant.name or qr.payee
    receipt.merchant.tax_id = receipt.merchant.tax_id or qr.payee_inn
    if receipt.document_type != DocumentType.payment_receipt:
        receipt.document_type = DocumentType.utility_receipt
    return receipt, checks
