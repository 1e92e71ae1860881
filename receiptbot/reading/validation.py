"""Checks on a read receipt: what does not add up is shown to the user, never hidden.

When preprocessing decoded a fiscal QR code, its total and date are printed by the fiscal
drive itself: they win over what was read, and a disagreement is flagged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from receiptbot.reading.fiscal import FiscalQR, apply_fiscal_qr
from receiptbot.reading.model import Check, Receipt
from receiptbot.reading.payment_qr import PaymentQR, apply_payment_qr

# ISO 4217 active codes.
_ISO_4217_CODES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB
PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP SZL THB
TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())
ITEMS_SUM_TOLERANCE = Decimal("0.01")


def check(
    receipt: Receipt,
    fiscal_qr: FiscalQR | None,
    today: dt.date | None = None,
    payment_qr: PaymentQR | None = None,
) -> tuple[Receipt, list[Check]]:
    """The receipt with the QR codes' facts applied, and the warnings to show."""
    today = today or dt.date.today()
    warnings: list[Check] = []
    receipt = receipt.model_copy(deep=True)
    if fiscal_qr is not None:
        receipt, warnings = apply_fiscal_qr(receipt, fiscal_qr)
    if payment_qr is not None:
        receipt, paid = apply_payment_qr(receipt, payment_qr)
        warnings += paid

    if receipt.total is None:
        warnings.append(Check(code="no_total"))
    amounts = [item.amount for item in receipt.items if item.amount is not None]
    if receipt.total is not None and amounts and len(amounts) == len(receipt.items):
        items_sum = sum(amounts, Decimal(0))
        if abs(items_sum - abs(receipt.total)) > ITEMS_SUM_TOLERANCE:  # a refund's total is negative
            warnings.append(
                Check(code="items_sum", values={"items_sum": str(items_sum), "total": str(receipt.total)})
            )
    if receipt.date:
        try:
            if dt.date.fromisoformat(receipt.date) > today:
                warnings.append(Check(code="future_date", values={"date": receipt.date}))
        except ValueError:
            receipt.date = None  # not a date at all: better none than a wrong one
    if receipt.currency:
        receipt.currency = receipt.currency.strip().upper()
        if receipt.currency not in ISO_4217:
            warnings.append(Check(code="currency", values={"currency": receipt.currency}))
    return receipt, warnings
