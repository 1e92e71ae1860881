"""The one receipt model: Gemini's response schema, and what a record keeps of the reading.

Amounts are exact decimals. Gemini's schema has no decimal type, so in the schema they are
strings ("12.34"); pydantic turns them into ``Decimal`` on validation.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import Enum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from receiptbot import faults

# Bounds of any amount, wherever it comes from (the model, a QR code, a stored record): a number
# that formats in microseconds. "1E+999999999" is a valid Decimal of 10^9 digits when printed.
MAX_AMOUNT = Decimal(10) ** 12  # a trillion, either sign: more than any receipt
MAX_DECIMAL_PLACES = 4  # quantities like 0.355 kg; finer digits are rounded away


def bounded(value: Decimal) -> Decimal:
    """A finite amount below ``MAX_AMOUNT`` either way, with at most four decimals and no exponent
    (``1E+3`` is 1000); ``-0`` is 0. Refused (ValueError) otherwise. Never expands a huge exponent:
    the checks compare and quantize within the bounds only."""
    if not value.is_finite() or value.copy_abs() >= MAX_AMOUNT:  # copy_abs: no context, no rounding
        raise ValueError(f"an amount must be finite and below {MAX_AMOUNT:.0e} either way")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        value = value.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES))
    elif isinstance(exponent, int) and exponent > 0:
        value = value.quantize(Decimal(1))
    return value if value else value.copy_abs()


# An exact amount. In JSON (stored results and Gemini's schema) it is a string like "12.34".
Amount = Annotated[
    Decimal,
    AfterValidator(bounded),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "decimal amount with a dot, e.g. 1234.50"}),
]
_AMOUNT = TypeAdapter(Amount)


def amount_or_none(value: object) -> Decimal | None:
    """The value as a bounded amount, or None when it is not one."""
    try:
        return _AMOUNT.validate_python(value)
    except ValidationError:
        return None


# A billing period as printed or encoded: "03.2024", "3/2024", "032024" (the payment QR's
# PaymPeriod) or "2024-03".
_BILLING_PERIOD = re.compile(r"^(?:(\d{1,2})[./]?(\d{4})|(\d{4})-(\d{2}))$")


def billing_month(period: str | None) -> str | None:
    """The period as "YYYY-MM", or None when it is not one month."""
    found = _BILLING_PERIOD.match((period or "").strip())
    if found is None:
        return None
    month, year = (found[1], found[2]) if found[1] else (found[4], found[3])
    return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None


class DocumentType(str, Enum):
    shop_receipt = "shop_receipt"
    utility_receipt = "utility_receipt"
    payment_receipt = "payment_receipt"
    invoice = "invoice"
    other = "other"


class Category(str, Enum):
    """What a receipt was spent on: the groups Russian expense apps (CoinKeeper, Дзен-мани) and their
    users use, few enough for a keyboard (bot/texts.py names each in ru and en)."""

    groceries = "groceries"
    cafes = "cafes"  # cafés, restaurants, delivery
    transport = "transport"  # taxi, public transport, fuel, parking
    utilities = "utilities"  # housing and utility bills, phone, internet
    health = "health"  # pharmacy, clinics
    household = "household"  # home goods, repairs, hardware
    clothing = "clothing"  # clothes and shoes
    electronics = "electronics"
    beauty = "beauty"  # cosmetics, hairdresser
    kids = "kids"
    leisure = "leisure"  # cinema, books, hobbies, travel
    other = "other"


class Merchant(BaseModel):
    name: str | None = None
    tax_id: str | None = Field(None, description="INN or VAT id, as printed")
    address: str | None = None


class Item(BaseModel):
    name: str
    quantity: Amount | None = None
    unit_price: Amount | None = None
    amount: Amount | None = None


class TaxLine(BaseModel):
    rate: str | None = Field(None, description='e.g. "20%" or "A 19%"')
    amount: Amount | None = None


class FiscalData(BaseModel):
    """Russian cash receipts: fiscal drive number, document number and sign."""

    fn: str | None = None
    fd: str | None = None
    fp: str | None = None


class PaymentDetails(BaseModel):
    """Utility and payment receipts."""

    payee: str | None = None
    account: str | None = Field(None, description="account or personal account number")
    period: str | None = Field(None, description="the billing period; YYYY-MM when it is one month")
    purpose: str | None = None


class Receipt(BaseModel):
    document_type: DocumentType = DocumentType.shop_receipt
    merchant: Merchant = Field(default_factory=Merchant)
    date: str | None = Field(None, description="ISO date YYYY-MM-DD")
    time: str | None = Field(None, description="HH:MM, 24h")
    total: Amount | None = None
    currency: str | None = Field(None, description="ISO 4217 code, e.g. EUR, RUB, USD")
    taxes: list[TaxLine] = Field(default_factory=list)
    payment_method: str | None = Field(None, description="cash, card, ...")
    items: list[Item] = Field(default_factory=list)
    fiscal: FiscalData | None = None
    payment: PaymentDetails | None = None
    category: Category | None = Field(None, description="what the money was spent on")


class Check(BaseModel):
    """A check that failed: something that did not add up, shown to the user (bot/texts.py has its
    text as warn_<code>)."""

    code: str
    values: dict[str, str] = Field(default_factory=dict)


class PermanentEngineError(faults.Permanent):
    """Raised by a reading engine when this receipt cannot be read, however often it is tried."""
