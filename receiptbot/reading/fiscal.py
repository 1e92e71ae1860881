"""The fiscal QR code of a Russian cash receipt: the one reading of a receipt that is exact."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs

from pydantic import BaseModel

_FISCAL_T = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})")

# The engine a result names when its receipt was answered from the fiscal QR code alone (the photo
# showed only the code, or could not be read otherwise).
QR_ONLY_ENGINE = "fiscal_qr"


class FiscalQR(BaseModel):
    """What a Russian cash receipt's fiscal QR code says (t=...&s=...&fn=...&i=...&fp=...&n=...)."""

    date: str  # YYYY-MM-DD
    time: str | None = None  # HH:MM
    total: str  # decimal as text, e.g. "1234.50"
    fn: str | None = None
    fd: str | None = None
    fp: str | None = None
    kind: int | None = None


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
