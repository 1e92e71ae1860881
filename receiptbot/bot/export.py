"""The /export file: a chat's receipts as a spreadsheet in the user's language.

One row per counted receipt (duplicates that were not kept are left out; unreadable photos are
never records), no internal ids. Two encodings of the same rows:

- XLSX, what the bot sends: every cell has its type (a number, a date, a time, text), so no
  reader has to guess separators or decimal marks from its locale (docs/export.md, measured).
- CSV for Excel's double-click in the user's locale: UTF-8 with a BOM; ru: `;` and a decimal
  comma, en: `,` and a dot. Dates are ISO (YYYY-MM-DD), which Excel and LibreOffice read as dates
  in either locale.

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a CR) are
escaped as OWASP advises: a leading ' in CSV, a quote-prefixed text cell in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from receiptbot.bot.card import category_name
from receiptbot.bot.texts import Language
from receiptbot.cloud.records import Record
from receiptbot.reading.model import DocumentType

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | dt.date | dt.time | None
FileFormat = Literal["xlsx", "csv"]


@dataclass(frozen=True)
class Vocabulary:
    """What the file says in one language: its name, the column headers, the document types."""

    file_stem: str
    date: str
    time: str
    merchant: str
    category: str
    total: str
    currency: str
    payment_method: str
    items: str
    document_type: str
    corrected: str
    document_types: dict[DocumentType, str]
    csv_separator: str
    decimal_mark: str

    @property
    def headers(self) -> list[str]:
        return [
            self.date,
            self.time,
            self.merchant,
            self.category,
            self.total,
            self.currency,
            self.payment_method,
            self.items,
            self.document_type,
            self.corrected,
        ]


VOCABULARY: dict[Language, Vocabulary] = {
    "ru": Vocabulary(
        file_stem="Чеки",
        date="Дата",
        time="Время",
        merchant="Магазин",
        category="Категория",
        total="Сумма",
        currency="Валюта",
        payment_method="Оплата",
        items="Позиций",
        document_type="Тип документа",
        corrected="Исправлено",
        document_types={
            DocumentType.shop_receipt: "Кассовый чек",
            DocumentType.utility_receipt: "Квитанция ЖКХ",
            DocumentType.payment_receipt: "Платёжный документ",
            DocumentType.invoice: "Счёт",
            DocumentType.other: "Другое",
        },
        csv_separator=";",  # Russian Windows' list separator: what Excel splits a CSV on
        decimal_mark=",",
    ),
    "en": Vocabulary(
        file_stem="Receipts",
        date="Date",
        time="Time",
        merchant="Merchant",
        category="Category",
        total="Total",
        currency="Currency",
        payment_method="Payment method",
        items="Items",
        document_type="Document type",
        corrected="Corrected",
        document_types={
            DocumentType.shop_receipt: "Shop receipt",
            DocumentType.utility_receipt: "Utility bill",
            DocumentType.payment_receipt: "Payment receipt",
            DocumentType.invoice: "Invoice",
            DocumentType.other: "Other",
        },
        csv_separator=",",
        decimal_mark=".",
    ),
}


def exported(records: Sequence[Record]) -> list[Record]:
    """The records a file lists: the counted ones (a duplicate the user did not keep is not)."""
    return [record for record in records if record.counted]


def filename(language: Language, month: str | None, extension: str) -> str:
    stem = VOCABULARY[language].file_stem
    return f"{stem}_{month}.{extension}" if month else f"{stem}.{extension}"


def _date(value: str | None) -> dt.date | str | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return value  # as read: text rather than a wrong date


def _time(value: str | None) -> dt.time | str | None:
    try:
        return dt.time.fromisoformat(value) if value else None
    except ValueError:
        return value


def rows(records: Sequence[Record], language: Language) -> list[list[Cell]]:
    """The file's rows after the header, typed: what each cell is, not how a locale writes it."""
    words = VOCABULARY[language]
    corrected_names = {"total": words.total, "date": words.date, "merchant": words.merchant}
    table: list[list[Cell]] = []
    for record in exported(records):
        receipt = record.receipt
        table.append(
            [
                _date(receipt.date),
                _time(receipt.time),
                receipt.merchant.name,
                category_name(record.category, language),
                receipt.total,
                receipt.currency,
                receipt.payment_method,
                len(receipt.items),
                words.document_types[receipt.document_type],
                ", ".join(corrected_names[name] for name in record.edited) or None,
            ]
        )
    return table


def _starts_a_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def _csv_cell(value: Cell, words: Vocabulary) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", words.decimal_mark)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return f"'{value}" if _starts_a_formula(value) else value


def build_csv(records: Sequence[Record], language: Language) -> bytes:
    words = VOCABULARY[language]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=words.csv_separator, lineterminator="\r\n")
    writer.writerow(words.headers)
    for row in rows(records, language):
        writer.writerow([_csv_cell(value, words) for value in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM: Excel reads UTF-8 only with it


# Excel's built-in number formats 14 (short date) and 20 (h:mm): every spreadsheet shows them in
# its own locale's way (15.01.2024 in Russian, 1/15/2024 in US English).
DATE_FORMAT, TIME_FORMAT, AMOUNT_FORMAT = 14, 20, "#,##0.00"
COLUMN_WIDTHS = (11, 7, 32, 22, 12, 9, 16, 8, 20, 14)


def build_xlsx(records: Sequence[Record], language: Language) -> bytes:
    words = VOCABULARY[language]
    buffer = io.BytesIO()
    # Text is only ever written as text: never read as a formula or a number.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    formats = {
        "header": workbook.add_format({"bold": True}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "time": workbook.add_format({"num_format": TIME_FORMAT}),
        "amount": workbook.add_format({"num_format": AMOUNT_FORMAT}),
        # Shown as typed and kept as text even when the user edits the cell (Excel's ' prefix).
        "quoted": workbook.add_format({"quote_prefix": True}),
    }
    sheet = workbook.add_worksheet(words.file_stem)
    sheet.write_row(0, 0, words.headers, formats["header"])
    table = rows(records, language)
    for number, row in enumerate(table, start=1):
        for column, value in enumerate(row):
            _write_cell(sheet, number, column, value, formats)
    for column, width in enumerate(COLUMN_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(table), len(words.headers) - 1)
    workbook.close()
    return buffer.getvalue()


def _write_cell(sheet: Worksheet, row: int, column: int, value: Cell, formats: dict[str, Format]) -> None:
    if value is None:
        return
    if isinstance(value, Decimal):
        sheet.write_number(row, column, float(value), formats["amount"])
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, column, value, formats["time"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, formats["date"])
    else:
        sheet.write_string(row, column, value, formats["quoted"] if _starts_a_formula(value) else None)


BUILDERS: dict[FileFormat, Callable[[Sequence[Record], Language], bytes]] = {
    "xlsx": build_xlsx,
    "csv": build_csv,
}


def build(
    records: Sequence[Record], language: Language, month: str | None, file_format: FileFormat
) -> tuple[str, bytes]:
    """The file's name and content, in one of BUILDERS' formats."""
    return filename(language, month, file_format), BUILDERS[file_format](records, language)
