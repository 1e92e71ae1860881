"""The offline engine's text parser, on receipt text as Tesseract prints it (noise included)."""

from datetime import date
from decimal import Decimal

import pytest

from receiptbot.reading.ocr.parser import date_votes, fold_name, might_hold_date, parse_receipt_text

# A German discounter receipt as OCR reads it: logo lost, cash handed over and change given back.
ALDI_CASH = """\
fad HlunbeLD nell
Pohlweg 110
33100 Paderborn
FERTIGGERICHTE 1,79 С
KIWI, VORGEREIFT 1,49 C
BRIOCHE-KNOTEN 0,29 C
ZU ZAHLEN EURO 3,57
BARGELD 20,00
ZURÜCK 16,43
MWST Netto MWST-BETRAG BRUTTO
С 7,00% 3,34 0,23 3,57
Vielen Dank für Ihren Einkauf!
Aldi GmbH & Co. KG, Schloß Holte
10(18107 8746 ) 09:48 02.03.2020
"""

LIDL_CARD = """\
LIDL |
Warburger Straße 130
33100 Paderborn
EUR
Hähnchen süß-sauer 1,79 A
Premium Vodka 4,99 B
Bulgur-Kräuter 0,99 x 2 1,98 A
zu zahlen ; 8,76
Kreditkarte 8,76
MWST% MWST + Netto = Brutto
A 7% 0,25 3,52 3,77
B 19% 0,80 4,19 4,99
Summe = 1,05 7,71 8,76
Kartenzahlung
EUR 8,76
Datum 07.04.20 14:37 Uhr
"""

RUSSIAN = """\
ООО "Агроторг"
Пятерочка
ИНН 7825706086
КАССОВЫЙ ЧЕК
Приход
Молоко 3,2% 1л 89.99
Хлеб бородинский 45.50
Сыр российский 2 x 250.00 500.00
ИТОГ =635.49
НАЛИЧНЫМИ =1000.00
СДАЧА =364.51
в т.ч. НДС 20% =105.92
12.03.2024 18:42
ФН: 9289000100123456
ФД: 12345
ФП: 3456789012
"""

ENGLISH = """\
WALMART
Supercenter
1 MILK 2% GAL 3.48
2 BREAD WHITE 1.98
SUB TOTAL 5.46
TAX 1 7.000 % 0.38
TOTAL 5.84
CASH TEND 10.00
CHANGE DUE 4.16
03/15/2024 14:05:33
"""


def test_cash_handed_over_is_not_the_total() -> None:
    receipt = parse_receipt_text(ALDI_CASH)
    assert receipt.total == Decimal("3.57")
    assert receipt.payment_method == "cash"


def test_chain_named_in_the_footer_when_the_logo_is_unreadable() -> None:
    assert parse_receipt_text(ALDI_CASH).merchant.name == "ALDI"


def test_date_and_time_with_four_digit_year() -> None:
    receipt = parse_receipt_text(ALDI_CASH)
    assert (receipt.date, receipt.time) == ("2020-03-02", "09:48")


def test_german_card_receipt() -> None:
    receipt = parse_receipt_text(LIDL_CARD)
    assert receipt.merchant.name == "LIDL"
    assert receipt.total == Decimal("8.76")
    assert (receipt.date, receipt.time) == ("2020-04-07", "14:37")  # two-digit year
    assert receipt.currency == "EUR"
    assert receipt.payment_method == "card"


def test_items_with_quantity_and_comma_decimals() -> None:
    items = parse_receipt_text(LIDL_CARD).items
    assert [(i.name, i.amount) for i in items] == [
        ("Hähnchen süß-sauer", Decimal("1.79")),
        ("Premium Vodka", Decimal("4.99")),
        ("Bulgur-Kräuter", Decimal("1.98")),
    ]
    assert (items[2].quantity, items[2].unit_price) == (Decimal(2), Decimal("0.99"))


def test_tax_rows_are_checked_against_their_net_or_gross() -> None:
    taxes = parse_receipt_text(LIDL_CARD).taxes
    assert [(t.rate, t.amount) for t in taxes] == [("7%", Decimal("0.25")), ("19%", Decimal("0.80"))]


def test_russian_receipt() -> None:
    receipt = parse_receipt_text(RUSSIAN)
    assert receipt.merchant.name == "Пятёрочка"
    assert receipt.merchant.tax_id == "7825706086"
    assert receipt.total == Decimal("635.49")  # not the cash handed over, 1000.00
    assert receipt.currency == "RUB"  # no symbol printed: Cyrillic text
    assert (receipt.date, receipt.time) == ("2024-03-12", "18:42")
    assert receipt.payment_method == "cash"
    assert [(t.rate, t.amount) for t in receipt.taxes] == [("20%", Decimal("105.92"))]
    assert receipt.fiscal is not None
    assert receipt.fiscal.model_dump() == {"fn": "9289000100123456", "fd": "12345", "fp": "3456789012"}
    assert [i.amount for i in receipt.items] == [Decimal("89.99"), Decimal("45.50"), Decimal("500.00")]
    assert receipt.items[2].quantity == Decimal(2)


def test_russian_total_with_grouped_thousands() -> None:
    receipt = parse_receipt_text("Магнит\nТелевизор 1 234,50\nИТОГ =1 234,50\nКАРТОЙ =1 234,50\n")
    assert receipt.total == Decimal("1234.50")
    assert receipt.merchant.name == "Магнит"


def test_english_receipt_month_first_and_dollar_default() -> None:
    receipt = parse_receipt_text(ENGLISH)
    assert receipt.merchant.name == "Walmart"
    assert receipt.total == Decimal("5.84")  # not SUBTOTAL, not CASH TEND
    assert receipt.date == "2024-03-15"
    assert receipt.time == "14:05"


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("SHOP\nMILK $3.48\nTOTAL $3.48", "USD"),
        ("SHOP\nMILK 3,48 €\nSUMME 3,48 €", "EUR"),
        ("SHOP\nMILK 3,48\nSUMME 3,48\nMwSt 19% 0,56", "EUR"),  # a German receipt without a symbol
        ("МАГАЗИН\nХЛЕБ 45.50\nИТОГ 45.50", "RUB"),
        ("МАГАЗИН\nХЛЕБ 45.50 руб\nИТОГ 45.50 руб", "RUB"),
        ("TESCO\nMILK £1.20\nTOTAL £1.20", "GBP"),
    ],
)
def test_currency_from_symbols_words_or_language(text: str, currency: str) -> None:
    assert parse_receipt_text(text).currency == currency


def test_euro_sign_read_as_a_digit_after_the_cents() -> None:
    # "1,95€" printed, OCR gives "1,956": the glued digit is dropped.
    assert parse_receipt_text("SHOP\nBRILLENPUTZTUCH 1,956\nSUMME 1,956\n").total == Decimal("1.95")


def test_ocr_spaces_inside_an_amount() -> None:
    receipt = parse_receipt_text("SHOP\nSUMME EUR 19, 46\nBetrag EUR 19,46\n")
    assert receipt.total == Decimal("19.46")


def test_card_slip_outvotes_a_misread_total() -> None:
    # Thermal print: the SUMME line misread, but the card line and the slip agree.
    text = "SHOP\nA 1,00\nSUMME EUR 19,16\nMasterCard EUR 19,46\nKartenzahlung\nEUR 19,46\n"
    assert parse_receipt_text(text).total == Decimal("19.46")


def test_cash_minus_change_supports_the_total() -> None:
    # The total misread; cash handed over minus change and the item sum agree on another amount.
    text = "SHOP\nBROT 7,16\nzu zahlen 7,18\nBar 10,00\nRückgeld -2,84\n"
    assert parse_receipt_text(text).total == Decimal("7.16")


def test_us_receipt_date_is_month_first() -> None:
    assert parse_receipt_text("SHOP\nTOTAL $5.00\n03/04/2024 10:00\n").date == "2024-03-04"
    assert parse_receipt_text("SHOP\nSUMME 5,00 €\n03.04.2024 10:00\n").date == "2024-04-03"


def test_dates_are_validated() -> None:
    assert parse_receipt_text("SHOP\n31.02.2020 10:00\n").date is None  # no such day
    # A date in the future is a misread; today is passed in so the test does not age.
    receipt = parse_receipt_text("SHOP\n01.01.2031 10:00\n05.06.2024\n", today=date(2025, 1, 1))
    assert receipt.date == "2024-06-05"


@pytest.mark.parametrize(
    "line", ["Datum 24 04.2020", "Datum 24 04 2020", "24.04 20 13:42 8655106", "24.04.2020", "2020-04-24"]
)
def test_dates_with_a_dot_lost(line: str) -> None:
    assert parse_receipt_text(f"SHOP\n{line}\n").date == "2020-04-24"


@pytest.mark.parametrize(
    "line",
    [
        "Date: 041272017",  # the second slash read as 7, the first lost
        "Date: 0411272017",  # both read as digits
        "DATE: 04122017",  # both lost
        "0412/2017 Tax Invoice",  # one lost, the other read: no keyword needed
    ],
)
def test_a_date_whose_slashes_ocr_misread(line: str) -> None:
    assert parse_receipt_text(f"SHOP\n{line}\n").date == "2017-12-04"


def test_digits_that_split_two_ways_or_into_no_date_or_lack_a_keyword_are_no_date() -> None:
    assert parse_receipt_text("SHOP\nDate: 011122017\n").date is None  # 01|11|2 or 01|1|12: which?
    assert parse_receipt_text("SHOP\nDate: 0412112017\n").date is None  # 04|1|21|1: no month 21
    assert parse_receipt_text("SHOP\nINVOICE 04122017\n").date is None  # a number, not a date


def test_a_quantity_and_price_are_not_a_loose_date() -> None:
    assert parse_receipt_text("SHOP\nBROT 3 1,20 3,60\n").date is None
    assert parse_receipt_text("SHOP\nMENGE 24 04 2020\n").date is None  # all spaces only after "Datum"


def test_a_chain_of_numbers_is_not_a_date() -> None:
    # OCR garbled a receipt number line; the part "1.04.20" must not outvote the real date.
    text = "SHOP\n3182 Tbot47/04- 1.04.20 09:59\nDatum 21.04.20 10:00 Uhr\n"
    assert parse_receipt_text(text).date == "2020-04-21"
    assert parse_receipt_text("SHOP\nNr 12.03.20.15 10:00\n").date is None


def test_an_hour_after_a_date_that_lost_its_year_is_no_year() -> None:
    # "02.03.20 15:59" read as "01 .03. 15:59": 15 is the hour, not 2015.
    assert parse_receipt_text("SHOP\n3182 01 .03. 15:59\n").date is None
    assert parse_receipt_text("SHOP\n15.01.24 18:30\n").date == "2024-01-15"


@pytest.mark.parametrize("line", ["Datum 11.04.2009:51 Uhr", "11.04.2009:51 8665111 0176"])
def test_a_two_digit_year_with_its_time_glued_on_is_no_four_digit_year(line: str) -> None:
    # OCR lost the space of "11.04.20 09:51": the year is 20, 09 the hour (not 2009).
    assert parse_receipt_text(f"SHOP\n{line}\n").date == "2020-04-11"


def test_a_four_digit_year_with_no_time_glued_on_stays() -> None:
    assert parse_receipt_text("SHOP\nDatum 11.04.2009 Uhr\n").date == "2009-04-11"
    assert parse_receipt_text("SHOP\n11.04.2009 09:51\n").date == "2009-04-11"


def test_date_votes_of_lines_read_apart_follow_the_receipts_order_of_day_and_month() -> None:
    assert date_votes("03/04/2024 10:00", "USD") == {"2024-03-04": 4}
    assert date_votes("Datum 03.04.24 10:00 Uhr\nSUMME 5,00", "EUR") == {"2024-04-03": 4}
    assert date_votes("SUMME 5,00", "EUR") == {}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Datum 05.10.16 14:16 Uhr", True),
        ("8.04.20 16.15 8665111 0176", True),
        ("Uhrzeit: 16:14:51 Uhr", True),  # a time: a date may be printed beside it
        ("DATE: 94/99/2007", True),  # misread, but shaped like a date
        ("Дата Время ААВ", True),  # a date's keyword, its date lost
        ("SUMME EUR 12,56", False),
        ("UPDATED PRICES 3.99", False),
    ],
)
def test_lines_that_might_hold_a_date(line: str, expected: bool) -> None:
    assert might_hold_date(line) is expected


def test_a_day_that_lost_a_digit_counts_less() -> None:
    # "21.04.20" under a barcode read as "1.04.20": the padded copy further down wins the tie.
    text = "SHOP\n3182 766147/04 1.04.20 09:59\nDatum 21.04.20 10:00 Uhr\n"
    assert parse_receipt_text(text).date == "2020-04-21"
    assert parse_receipt_text("SHOP\n1.04.20 09:59\n").date == "2020-04-01"  # alone, it still counts


def test_most_printed_date_wins() -> None:
    text = "SHOP\nAktion gültig bis 30.04.2020\nDatum: 15.04.2020\n15.04.20 16:15 8665111\n"
    assert parse_receipt_text(text).date == "2020-04-15"


def test_cyrillic_lookalikes_in_german_text_are_repaired() -> None:
    # OCR with a Russian model beside the German one reads "SUMME" with Cyrillic М, М and Е.
    receipt = parse_receipt_text("SHOP\nBROT 2,50\nSUММЕ EUR 2,50\n")
    assert receipt.total == Decimal("2.50")


def test_chain_names_inside_web_addresses_and_misread_headers() -> None:
    assert parse_receipt_text("Mein Drogeriemarkt\nTotal 1,95\nwww.rossmann.de\n").merchant.name == "Rossmann"
    assert parse_receipt_text("Merktkaut Lehr\nBROT 2,50\nzu zahlen 2,50\n").merchant.name == "Marktkauf"
    assert parse_receipt_text("teal GmbH\nBROT 2,50\nSUMME 2,50\n").merchant.name == "real"
    assert parse_receipt_text("LIDE |\nBROT 2,50\nzu zahlen 2,50\n").merchant.name == "LIDL"  # the logo
    # A short word one letter off a short chain name is not that chain.
    assert parse_receipt_text("Tool Shop\nHAMMER 9,99\nSUMME 9,99\n").merchant.name == "Tool Shop"


def test_chain_in_the_header_wins_over_its_group_named_in_the_footer() -> None:
    text = "Merktkauf Lehr\nBROT 2,50\nSUMME 2,50\nEDEKA Minden-Hannover\n"
    assert parse_receipt_text(text).merchant.name == "Marktkauf"


def test_tax_table_word_netto_is_not_the_netto_chain() -> None:
    receipt = parse_receipt_text("Bäckerei Krume\nBROT 2,50\nSUMME 2,50\nMwSt Netto Brutto\n")
    assert receipt.merchant.name == "Bäckerei Krume"


def test_empty_text_gives_an_empty_receipt() -> None:
    receipt = parse_receipt_text("")
    assert (receipt.total, receipt.date, receipt.merchant.name, receipt.items) == (None, None, None, [])


def test_fold_name() -> None:
    assert fold_name("Müller Straße") == "mueller strasse"
    assert fold_name("Пятёрочка") == "пятерочка"


# Invented receipts in the styles of Russia, Malaysia and the UK (not copies of real ones).
RUSSIAN_CARD = """\
ООО «Ромашка»
Кофейня Ромашка
г. Москва, ул. Тверская, д. 1
ИНН 7701234567
КАССОВЫЙ ЧЕК ПРИХОД
Капучино 1 * 180.00 =180.00
Круассан 2 * 95.00 =190.00
ИТОГ =370.00
СУММА НДС 20% =61.67
БЕЗНАЛИЧНЫМИ =370.00
15.01.24 18:30
"""

MALAYSIAN = """\
SYARIKAT MAJU JAYA SDN BHD
(123456-A)
NO. 12, JALAN MAWAR 3, TAMAN BUNGA
TEL: 03-1234 5678
GST REG NO: 001234567890
TAX INVOICE
Date: 05 MAR 2018 14:22
MILO 1KG 2 x 15.91 31.82 SR
SUGAR 2.85 SR
Total Qty: 3
Total Sales (Inclusive GST) 34.67
GST @6% 1.96
Rounding Adj -0.02
TOTAL 34.65
CASH 50.00
CHANGE 15.35
"""

BRITISH = """\
The Corner Shop
12 High Street
VAT No. GB 123 4567 89
Milk 1.20
Bread 1.45
Balance to Pay £2.65
Card Tendered £2.65
Date 05/03/2018 09:15
"""


def test_russian_total_is_itog_not_the_vat_sum() -> None:
    receipt = parse_receipt_text(RUSSIAN_CARD)
    assert receipt.total == Decimal("370.00")  # not СУММА НДС 61.67
    assert receipt.payment_method == "card"
    assert receipt.currency == "RUB"


def test_russian_legal_entity_is_the_merchant_and_the_inn_its_tax_id() -> None:
    receipt = parse_receipt_text(RUSSIAN_CARD)
    assert receipt.merchant.name == 'ООО "Ромашка"'
    assert receipt.merchant.tax_id == "7701234567"


def test_russian_legal_form_read_as_digits() -> None:
    text = '000 "Ромашка"\nг. Москва\nЧай 50.00\nИТОГ =50.00\n'
    assert parse_receipt_text(text).merchant.name == 'ООО "Ромашка"'
    text = "ИП Иванов Иван\nЧай 50.00\nИТОГ =50.00\n"
    assert parse_receipt_text(text).merchant.name == "ИП Иванов Иван"


def test_russian_date_with_two_digit_year_and_time() -> None:
    receipt = parse_receipt_text(RUSSIAN_CARD)
    assert (receipt.date, receipt.time) == ("2024-01-15", "18:30")


@pytest.mark.parametrize("line", ["15.01.2024 18:30", "15-01-2024", "15 января 2024"])
def test_russian_dates(line: str) -> None:
    assert parse_receipt_text(f"МАГАЗИН\n{line}\n").date == "2024-01-15"


def test_russian_to_pay_with_cash_and_change_and_letters_read_for_digits() -> None:
    # OCR of a Cyrillic print reads 0 as О and 3 as З inside amounts.
    text = "МАГАЗИН\nХЛЕБ =1О5.ЗО\nИТОГО К ОПЛАТЕ =1О5.ЗО\nНАЛИЧНЫМИ =200.00\nСДАЧА =94.70\n"
    receipt = parse_receipt_text(text)
    assert receipt.total == Decimal("105.30")
    assert receipt.payment_method == "cash"


def test_malaysian_total_is_the_one_after_rounding() -> None:
    receipt = parse_receipt_text(MALAYSIAN)
    assert receipt.total == Decimal("34.65")  # not 34.67 before rounding, not TOTAL QTY
    assert receipt.currency == "MYR"  # no RM printed: SDN BHD and GST say Malaysia
    assert receipt.date == "2018-03-05"
    assert receipt.merchant.name == "SYARIKAT MAJU JAYA SDN BHD"


def test_rounding_supports_the_rounded_total_when_that_line_is_misread() -> None:
    text = "SHOP SDN BHD\nRICE 10.03\nTOTAL 10.03\nROUNDING -0.03\nT0TAL 1O.OO\nCASH 20.00\nCHANGE 10.00\n"
    assert parse_receipt_text(text).total == Decimal("10.00")


def test_gst_line_is_a_tax_not_the_total() -> None:
    receipt = parse_receipt_text(MALAYSIAN)
    assert [(t.rate, t.amount) for t in receipt.taxes] == [("6%", Decimal("1.96"))]


def test_an_intermediate_total_before_a_discount_is_a_subtotal() -> None:
    text = "ПЕРЕКРЕСТОК\nТВОРОЖОК 120.00\nПРОМЕЖУТОЧНЫЙ ИТОГ: 120.00\nСКИДКА 20.00\nИТОГ: =100.00\n"
    assert parse_receipt_text(text).total == Decimal("100.00")


def test_a_gst_summary_of_supplies_is_not_the_total() -> None:
    # The total payable line misread; its amount is still the cash given less the change.
    text = (
        "KEDAI SDN BHD\nTotal 6% supplies (Inc. GST): 27.09\nTotal 0% supplies: 14.35\n"
        "Total Fayabie: 41.4\nCASH 50.00\nCHANGE 8.56\n"
    )
    assert parse_receipt_text(text).total == Decimal("41.44")


def test_two_labelled_amounts_on_one_line_are_read_apart() -> None:
    # A two-column till: the cash paid (none) and the total share a line.
    text = "ПЕРЕКРЕСТОК\nОКРУГЛЕНИЕ: 0.00 ПОДЫТОГ: 59.80\nНАЛИЧНЫМИ: 0.00 ИТОГ: 59.80\n"
    assert parse_receipt_text(text).total == Decimal("59.80")


def test_misread_total_keyword() -> None:
    assert parse_receipt_text("SHOP\nTEA 4.80\nTota! 4.80\nCASH 10.00\n").total == Decimal("4.80")
    # Cyrillic М read as Н: "Сумна (Руб)" above the card slip's amount.
    assert parse_receipt_text("МАГАЗИН\nЧАЙ 50.00\nСумна (Руб)\n470.78\n").total == Decimal("470.78")
    # Г read as Т: "ВСЕТО", and no cash or card line to tell the total otherwise.
    assert parse_receipt_text(
        "МАГАЗИН\nЧАЙ 50.00\nХЛЕБ 30.00\nВСЕТО: 80.00\nПРИНЯТО 100.00\n"
    ).total == Decimal("80.00")
    # Two letters of a long keyword misread: "ЗМЕКТРОННЫМИ" (Э read as З, Л as М), the card payment.
    assert parse_receipt_text(
        "ПЕРЕКРЕСТОК\nМОЛОКО 29.90\nЙОГУРТ 29.90\nПОДЫТОГ: 59.80\nЗМЕКТРОННЫМИ: 59.80\n"
    ).total == Decimal("59.80")
    # "К ОПЛАТЕ" with its one-letter К lost, after a discount: not the items' sum.
    assert parse_receipt_text(
        "МАГАЗИН\nЧАЙ 50.00\nХЛЕБ 30.00\nСКИДКА С ЧЕКА 10.00\nОПЛАТЕ =70.00\nПОЛУЧЕНО 100.00\n"
    ).total == Decimal("70.00")


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("KEDAI\nTEH RM2.50\nTOTAL RM2.50", "MYR"),
        ("KEDAI SDN BHD\nTEH $2.50\nTOTAL $2.50\nGST @6% 0.14", "MYR"),  # "$" of a Malaysian shop
        ("SHOP\nTEA 2.50\nTOTAL 2.50\nVAT No. GB 123 4567 89", "GBP"),
        ("SHOP\nTEA 2.50 GBP\nTOTAL 2.50 GBP", "GBP"),
        ("SHOP\nTEA 2.50 USD\nTOTAL 2.50 USD", "USD"),
        ("SHOP\nTEE 2,50\nSUMME 2,50 EUR", "EUR"),
        ("МАГАЗИН\nЧАЙ 50.00 $\nИТОГ 50.00", "RUB"),  # a stray symbol of OCR on a Cyrillic receipt
        ("МАГАЗИН\nЧАЙ 50.00 р.\nИТОГ 50.00 ₽", "RUB"),
        ("SHOP\nTEA 2.50\nTOTAL 2.50", None),  # nothing says where from
    ],
)
def test_currency_from_marks_and_evidence(text: str, currency: str | None) -> None:
    assert parse_receipt_text(text).currency == currency


def test_british_receipt() -> None:
    receipt = parse_receipt_text(BRITISH)
    assert receipt.currency == "GBP"
    assert receipt.total == Decimal("2.65")
    assert receipt.date == "2018-03-05"  # day first
    assert receipt.merchant.name == "The Corner Shop"  # not the street nor the VAT number


@pytest.mark.parametrize("line", ["05 MAR 2018", "5 March 2018", "MAR 05, 2018", "05/03/2018", "2018-03-05"])
def test_month_name_and_day_first_dates(line: str) -> None:
    assert parse_receipt_text(f"SHOP\nTOTAL RM1.00\n{line}\n").date == "2018-03-05"


def test_a_header_address_is_not_the_name() -> None:
    text = "NO. 53, JALAN BESAR, 45600 BATANG\nABC HARDWARE TRADING\nNAIL 1.00\nTOTAL 1.00\n"
    assert parse_receipt_text(text).merchant.name == "ABC HARDWARE TRADING"


def test_card_slip_amount_line_with_edge_noise_supports_the_total() -> None:
    # A phone photo: the total line misread, the slip's "Amount £x" with marks from the paper's edge.
    text = "LIDL\nBananas 0.79 A\nMilk 1.10 A\nЧО...” “ 28.64\nECARD 227 = ^ 28:64\n\\ о Amount £28.64 р \\\n"
    assert parse_receipt_text(text).total == Decimal("28.64")
    # It outvotes a total line read one digit wrong.
    text = "LIDL\nBananas 0.79 A\nTOTAL 20.96\nCARD 20.36\nAmount £20.36\n"
    assert parse_receipt_text(text).total == Decimal("20.36")
    # A Russian slip's "Сумма (Руб): 668.59" with its "Сумма" lost: the currency in parentheses.
    text = "ДИКСИ\nСАХАР 129.00\nПЕЛЬМЕНИ 239.80\n(Руб): 668.59\n"
    assert parse_receipt_text(text).total == Decimal("668.59")


def test_paid_amount_is_cash_given_not_the_total() -> None:
    text = "SHOP SDN BHD\nPEN 159.00\nTotal Amount: 159.00\nPaid Amount : 200.00\nChange : 41.00\n"
    assert parse_receipt_text(text).total == Decimal("159.00")


def test_a_total_word_whose_amount_is_on_the_next_line() -> None:
    text = "МАГАЗИН\nМЫЛО *2=38.00\nШАМПУНЬ =436.70\nВСЕГО:\n1 =474.70 =\nСДАЧА =25.30\n"
    assert parse_receipt_text(text).total == Decimal("474.70")
    # OCR's specks on a line between them ("= | {"): the word and its amount are still one.
    text = "МАГАЗИН\nМОЛОКО =71.00\nКАНБАЛА =185.00\nИТОГ\n= | {\nОПЛАТА 1 =1000.00\n"
    assert parse_receipt_text(text).total == Decimal("1000.00")


def test_a_russian_amount_whose_point_ocr_lost() -> None:
    # "ИТОГ =500.00" read "ИТОГ =500 00": after a till's "=", the space is the point.
    text = "КАФЕ\nРОЖОК 2.000 * 250.00 =500.00\nИТОГ =500 00\nСумма без НДС =500.00\n"
    assert parse_receipt_text(text).total == Decimal("500.00")
    # A Latin receipt has no such mark: "TOTAL 500 00" stays no amount.
    assert parse_receipt_text("SHOP\nTOTAL 500 00\n").total is None


def test_a_full_date_after_a_number_and_a_space() -> None:
    assert parse_receipt_text("SHOP\nORD #07 -REG #19- 10/03/2018 17:24:07\n").date == "2018-03-10"


def test_month_name_misread_in_cyrillic_letters() -> None:
    assert parse_receipt_text("SHOP\n12 Маг 2018 18:19\nTOTAL RM8.20\n").date == "2018-03-12"


@pytest.mark.parametrize(
    ("header", "chain"),
    [
        ("Enter survey: lid].co.uk/haveyoursay", "LIDL"),
        ("Enter survey: 1idl.co.uk/haveyoursay", "LIDL"),
        ("www. marksandspencer .com", "Marks & Spencer"),
    ],
)
def test_chain_names_with_l_read_as_other_marks(header: str, chain: str) -> None:
    assert parse_receipt_text(f"LON-Fulwell\n{header}\nTEA 2.50\nTOTAL 2.50\n").merchant.name == chain


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("MR. D.I.Y. SON BHD\n(CO.REG :704427-T )", "MR. D.I.Y. SON BHD"),  # short words only
        ("99 SPEED MART S/B (519537-X)\nLOT P.T. 2811, JALAN ANGSA", "99 SPEED MART S/B (519537-X)"),
        ("ö IF ag и .\nUNIHAKKA INTERNATIONAL SDN BHD", "UNIHAKKA INTERNATIONAL SDN BHD"),  # "ag" alone
    ],
)
def test_company_line_with_short_words_or_a_registration_number(header: str, name: str) -> None:
    assert (
        parse_receipt_text(f"{header}\nKAWASAN PERINDUSTRIAN BALAKONG\nPEN 9.90\nTOTAL 9.90\n").merchant.name
        == name
    )


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        # A Malaysian address with no RM, no SDN BHD and no GST printed.
        ("KEDAI BUKU ANGSA\nNO 5, JALAN MAWAR 3\n81100 JOHOR BAHRU\nPEN 2.00\nTotal 2.00\n", "MYR"),
        ("KEDAI\nTAMAN MELATI\nPEN 2.00\nTotal 2.00\n", "MYR"),
        # A Russian receipt that OCR read half in Latin: its legal form (О read Latin) and its till.
        ("HAHEI SHOP\nOOO Vector\nКАССИР Sidorova\nБУГЛЕН 59.80 €\nTOTAL 59.80\n", "RUB"),
        ("SHOP\nИНН 7825706086\nФН 8712000101115560\nTOTAL 59.80\n", "RUB"),
    ],
)
def test_currency_from_the_country_when_no_mark_is_printed(text: str, currency: str) -> None:
    assert parse_receipt_text(text).currency == currency


def test_a_date_only_readable_month_first_loses_to_a_day_first_one() -> None:
    # "01/19/2017" is a misread "01/10/2017" on a day-first receipt (RM, Malaysia).
    text = "SHOP SDN BHD\nDate: 01/19/2017\nDD: 01/10/2017 11:97\nTOTAL RM 3.00\n"
    assert parse_receipt_text(text).date == "2017-10-01"
    # Alone, it still is the date.
    assert parse_receipt_text("SHOP SDN BHD\nDate: 01/19/2017\nTOTAL RM 3.00\n").date == "2017-01-19"


def test_a_card_slip_amount_with_its_currency_mark_inside_edge_noise() -> None:
    text = "LIDL\nPepper 1.19 A\nMilk 0.79 A\nTOTAL ; и\n\\ , Amount £1.98 , о SOSS\n"
    assert parse_receipt_text(text).total == Decimal("1.98")
