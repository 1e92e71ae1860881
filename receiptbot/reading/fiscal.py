"""The fiscal QR code of a Russian cash receipt: the one reading of a receipt that is exact.

Its ``n`` is the operation (54-ФЗ): 1 приход (a purchase), 2 возврат прихода (its refund), 3 расход,
4 возврат расхода. A refund's total is money back: it is kept negative, so a month's sum subtracts it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

from pydantic import BaseModel

from receiptbot.reading.model import Check, FiscalData, Receipt, amount_or_none

_FISCAL_T = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})")

# The engine a result names when its receipt was answered from the fiscal QR code alone (the photo
# showed only the code, or could not be read otherwise).
QR_ONLY_ENGINE = "fiscal_qr"
REFUND_KINDS = (2, 4)  # возврат прихода, возврат расхода


class FiscalQR(BaseModel):
    """What a Russian cash receipt's fiscal QR code says (t=...&s=...&fn=...&i=...&fp=...&n=...)."""

    date: str  # YYYY-MM-DD
    time: str | None = None  # HH:MM
    total: str  # decimal as text, e.g. "1234.50"
    fn: str | None = None
    fd: str | None = None
    fp: str | None = None
    kind: int | None = None

    @property
    def refund(self) -> bool:
        return self.kind in REFUND_KINDS


def parse_fiscal_qr(text: str) -> FiscalQR | None:
    """``t=20240115T1830&s=1234.50&fn=...&i=...&fp=...&n=1`` -> FiscalQR; None if it is not one."""
    fields = {k: v[0] for k, v in parse_qs(text.strip(), keep_blank_values=False).items()}
    match = _FISCAL_T.match(fields.get("t", ""))
    if not match or "s" not in fields:
        return None
    try:  # a date, time or amount that cannot exist is not a fiscal code (it would override the model)
        moment = dt.datetime(*map(int, match.groups()))
        total = Decimal(fields["s"]).quantize(Decimal("0.01"))
    except (ValueError, InvalidOperation):
        return None
    if not total.is_finite() or total <= 0:
        return None
    kind = fields.get("n", "")
    return FiscalQR(
        date=moment.strftime("%Y-%m-%d"),
        time=moment.strftime("%H:%M"),
        total=str(total),
        fn=fields.get("fn"),
        fd=fields.get("i"),
        fp=fields.get("fp"),
        kind=int(kind) if kind.isdigit() else None,
    )


def apply_fiscal_qr(receipt: Receipt, qr: FiscalQR) -> tuple[Receipt, list[Check]]:
    """The receipt with the code's facts applied, and how the reading compared.

    The total (negative for a refund), date and time are the code's; a reading that differed is
    told as qr_total / qr_date, one that agreed as qr_confirmed ("✅ сверено с QR-кодом").
    """
    receipt = receipt.model_copy(deep=True)
    checks = []
    qr_total = amount_or_none(qr.total)
    if qr_total is None:  # an out-of-bounds QR total is no fact
        return receipt, checks
    if receipt.total is not None and abs(receipt.total) != qr_total:  # a refund may be printed unsigned
        checks.append(Check(code="qr_total", values={"qr_total": qr.total, "total": str(receipt.total)}))
    if receipt.date and receipt.date != qr.date:
        checks.append(Check(code="qr_date", values={"qr_date": qr.date, "date": receipt.date}))
    if receipt.total is not None and receipt.date and not checks:
        checks.append(Check(code="qr_confirmed"))
    receipt.total = -qr_total if qr.refund else qr_total
    receipt.date, receipt.time = qr.date, qr.time or receipt.time
    receipt.currency = "RUB"  # the code is a Russian fiscal drive's: what OCR read is noise
    if receipt.fiscal is None or not (receipt.fiscal.fn and receipt.fiscal.fd and receipt.fiscal.fp):
        receipt.fiscal = FiscalData(fn=qr.fn, fd=qr.fd, fp=qr.fp)  # the duplicate check's key
    return receipt, checks
