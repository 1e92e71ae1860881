"""What the export tests share: records as extract stores them, and what an XLSX file holds, read
from its XML as a spreadsheet would (the tests have no spreadsheet library): each cell of the first
sheet with its type, its number format and its quote prefix."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from receiptbot.cloud.records import Record
from receiptbot.reading.model import Category, Item, Merchant, Receipt

CHAT_ID = 987654321

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
ESCAPED_CHARACTER = re.compile(r"_x([0-9A-Fa-f]{4})_")  # OOXML's escape of a control character


def record(message_id: int, merchant: str = "Пятёрочка", total: str = "1234.50", **fields: Any) -> Record:
    """A record as extract stores it; ``receipt={...}`` overrides fields of the reading."""
    reading = {
        "merchant": Merchant(name=merchant, tax_id="7825706086"),
        "date": "2024-01-15",
        "time": "18:30",
        "total": Decimal(total),
        "currency": "RUB",
        "payment_method": "card",
        "items": [Item(name="Молоко"), Item(name="Хлеб")],
    }
    chat_id = fields.pop("chat_id", CHAT_ID)
    return Record(
        receipt_id=f"{chat_id}_{message_id}",
        chat_id=chat_id,
        user_id=chat_id,
        message_id=message_id,
        engine="gemini:gemini-2.5-flash",
        read_at=dt.datetime(2024, 1, 15, 18, 31, tzinfo=dt.UTC),
        receipt=Receipt(**reading | fields.pop("receipt", {})),
        category=fields.pop("category", Category.groceries),
        **fields,
    )


@dataclass(frozen=True)
class XlsxCell:
    kind: str  # "s": text, "n": a number (dates and times are numbers with a date or time format)
    value: str | float
    number_format: int  # numFmtId: 14 a date, 20 a time, 164+ the file's own formats
    quote_prefix: bool  # kept as text even when edited
    formula: bool


def read_xlsx(content: bytes) -> list[list[XlsxCell | None]]:
    """The first sheet's rows, each as long as the sheet's widest row (None: an empty cell)."""
    # The files are the bot's own, made by the test: no untrusted XML (S314).
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = ET.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314
        styles = ET.fromstring(archive.read("xl/styles.xml")).find("m:cellXfs", NS)  # noqa: S314
        sheet = ET.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314
    strings = [
        ESCAPED_CHARACTER.sub(
            lambda m: chr(int(m.group(1), 16)), "".join(t.text or "" for t in item.iterfind(".//m:t", NS))
        )
        for item in shared.iterfind("m:si", NS)
    ]
    xfs = list(styles) if styles is not None else []
    rows: list[dict[int, XlsxCell]] = []
    for row in sheet.iterfind(".//m:sheetData/m:row", NS):
        cells = {}
        for cell in row.iterfind("m:c", NS):
            kind, raw = cell.get("t", "n"), cell.findtext("m:v", "", NS)
            xf = xfs[int(cell.get("s", "0"))]
            cells[_column(cell.get("r", ""))] = XlsxCell(
                kind=kind,
                value=strings[int(raw)] if kind == "s" else float(raw),
                number_format=int(xf.get("numFmtId", "0")),
                quote_prefix=xf.get("quotePrefix") == "1",
                formula=cell.find("m:f", NS) is not None,
            )
        rows.append(cells)
    width = max((max(cells) + 1 for cells in rows if cells), default=0)
    return [[cells.get(column) for column in range(width)] for cells in rows]


def _column(reference: str) -> int:
    """ "C7" -> 2."""
    letters = re.match(r"[A-Z]+", reference)
    assert letters, reference
    number = 0
    for letter in letters.group():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1
