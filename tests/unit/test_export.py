"""The /export file's bytes: CSV as Excel's double-click reads it in each locale, XLSX as typed cells;
headers in the user's language, no internal ids, duplicates left out, formulas never run."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from exports import CHAT_ID, read_xlsx, record

from receiptbot.bot import export
from receiptbot.reading.model import Category, DocumentType

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of a spreadsheet's date serials


RECORDS = [
    record(101),
    record(102, 'ООО "Ромашка"; филиал', "12.05", category=Category.cafes),
    record(
        103,
        "ГБУ Жилищник",
        "6843.27",
        edited=["total", "merchant"],
        receipt={"document_type": DocumentType.utility_receipt},
    ),
    record(104, "Дубль", "99.99", duplicate_of=f"{CHAT_ID}_101", counted=False),
]


def csv_rows(content: bytes, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=separator))


def test_the_russian_csv_opens_in_russian_excel() -> None:
    content = export.build_csv(RECORDS, "ru")

    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads it as UTF-8
    header, *rows = csv_rows(content, ";")
    assert header == [
        *("Дата", "Время", "Магазин", "Категория", "Сумма", "Валюта", "Оплата", "Позиций"),
        *("Тип документа", "Исправлено"),
    ]
    assert rows == [
        ["2024-01-15", "18:30", "Пятёрочка", "Продукты", "1234,50", "RUB", "card", "2", "Кассовый чек", ""],
        ["2024-01-15", "18:30", 'ООО "Ромашка"; филиал', "Кафе и рестораны", "12,05", "RUB", "card", "2",
         "Кассовый чек", ""],
        ["2024-01-15", "18:30", "ГБУ Жилищник", "Продукты", "6843,27", "RUB", "card", "2", "Квитанция ЖКХ",
         "Сумма, Магазин"],
    ]  # fmt: skip
    assert content.count(b"\r\n") == 4  # a header and three rows: the duplicate is left out


def test_the_english_csv_uses_commas_and_a_decimal_dot() -> None:
    header, *rows = csv_rows(export.build_csv(RECORDS, "en"), ",")

    assert header[:5] == ["Date", "Time", "Merchant", "Category", "Total"]
    assert [row[4] for row in rows] == ["1234.50", "12.05", "6843.27"]
    assert rows[2][8:] == ["Utility bill", "Total, Merchant"]


@pytest.mark.parametrize("build", [export.build_csv, export.build_xlsx])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_no_internal_id_is_in_the_file(build, language) -> None:
    content = build(RECORDS, language)
    text = content.decode("utf-8-sig") if build is export.build_csv else str(read_xlsx(content))

    for internal in (str(CHAT_ID), "101", "7825706086", "gemini", "groceries", "shop_receipt", "Дубль"):
        assert internal not in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_run_as_a_formula_is_escaped(start: str) -> None:
    merchant = f'{start}HYPERLINK("http://evil","click")'
    records = [record(1, merchant), record(2, "Обычный магазин")]

    (_, (*_, escaped), (*_, plain)) = [row[:3] for row in csv_rows(export.build_csv(records, "ru"), ";")]
    assert (escaped, plain) == (f"'{merchant}", "Обычный магазин")

    _, first, second = read_xlsx(export.build_xlsx(records, "ru"))
    assert (first[2].kind, first[2].value, first[2].quote_prefix, first[2].formula) == (
        "s",
        merchant,
        True,
        False,
    )
    assert not second[2].quote_prefix


def test_a_negative_total_is_a_number_not_an_escaped_text() -> None:
    records = [record(1, total="-150.00")]

    (_, row) = csv_rows(export.build_csv(records, "ru"), ";")
    assert row[4] == "-150,00"
    (_, cells) = read_xlsx(export.build_xlsx(records, "ru"))
    assert (cells[4].kind, cells[4].value) == ("n", -150.0)


def test_the_xlsx_cells_are_typed() -> None:
    header, *rows = read_xlsx(export.build_xlsx(RECORDS, "ru"))

    assert [cell.value for cell in header] == export.VOCABULARY["ru"].headers
    assert len(rows) == 3  # the duplicate is left out
    date, time, merchant, category, total, currency, payment, items, document_type, corrected = rows[2]
    assert (date.kind, date.number_format) == ("n", 14)  # a date, shown in the reader's locale
    assert EXCEL_EPOCH + dt.timedelta(days=date.value) == dt.date(2024, 1, 15)
    assert (time.kind, time.number_format, round(time.value * 24 * 60)) == ("n", 20, 18 * 60 + 30)
    assert (total.kind, total.value) == ("n", 6843.27)
    assert (items.kind, items.value) == ("n", 2)
    assert [c.value for c in (merchant, category, currency, payment, document_type, corrected)] == [
        "ГБУ Жилищник", "Продукты", "RUB", "card", "Квитанция ЖКХ", "Сумма, Магазин",
    ]  # fmt: skip
    assert rows[0][9] is None  # nothing corrected: an empty cell


def test_a_date_or_time_that_is_not_iso_stays_text() -> None:
    odd = record(1, receipt={"date": "15/01/24", "time": "6pm"})

    (_, row) = read_xlsx(export.build_xlsx([odd], "en"))
    assert [(cell.kind, cell.value) for cell in row[:2]] == [("s", "15/01/24"), ("s", "6pm")]


def test_the_file_is_named_in_the_users_language_and_month() -> None:
    assert export.build(RECORDS, "ru", "2024-01", "xlsx")[0] == "Чеки_2024-01.xlsx"
    assert export.build(RECORDS, "en", None, "csv")[0] == "Receipts.csv"
