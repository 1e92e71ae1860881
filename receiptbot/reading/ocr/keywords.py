"""The words and names that parser.py looks for: data only, so a new language or chain is one line."""

from __future__ import annotations

# Words that introduce the amount to pay (de, en, ru). Matched as whole words, case-insensitive.
TOTAL_WORDS = (
    "SUMME",
    "ZU ZAHLEN",
    "GESAMT",
    "GESAMTBETRAG",
    "ENDBETRAG",
    "TOTAL",
    "GRAND TOTAL",
    "TOTAL DUE",
    "NETT TOTAL",
    "AMOUNT DUE",
    "BALANCE DUE",
    "BALANCE TO PAY",
    "ИТОГ",
    "ИТОГО",
    "ОПЛАТЕ",  # "(К) ОПЛАТЕ": OCR often loses the one-letter word К
    "ВСЕГО",
    "СУММА",
)
# Total lines that name the amount to pay: they win over a total with tax or before rounding.
AMOUNT_DUE_WORDS = ("PAYABLE", "DUE", "TO PAY", "NETT TOTAL", "GRAND TOTAL", "ОПЛАТЕ")
# Keywords that OCR misreads by a letter ("Tota!", "TOVAL", "ИТОГ0", "Сумна"): a word of five
# letters or more one edit away from one of them is read as it; an edit per six letters of a long
# one ("ЗМЕКТРОННЫМИ" is ЭЛЕКТРОННЫМИ).
FUZZY_KEYWORDS = (
    "TOTAL", "SUMME", "ROUNDING", "CHANGE", "ИТОГО", "СУММА", "ВСЕГО", "СДАЧА", "НАЛИЧНЫМИ", "ЭЛЕКТРОННЫМИ",
)  # fmt: skip
# Sums before tax or discount: not the total. Also a total's line that says it is before tax or
# discount ("TOTAL EXCL GST", "ИТОГО БЕЗ СКИДКИ", "Сумма без НДС").
SUBTOTAL_WORDS = (
    "SUBTOTAL",
    "SUB TOTAL",
    "SUB-TOTAL",
    "ZWISCHENSUMME",
    "ПОДЫТОГ",
    "ПРОМЕЖУТОЧНЫЙ",
    "EXCL",
    "EXCLUDING",
    "EXCLUSIVE",
    "BEFORE",
    "БЕЗ",
)
# A total's line that says the tax is included ("Total Incl. of GST 31.37"): a total, not a tax row.
TAX_INCLUDED_WORDS = ("INCL", "INCLUDING", "INCLUSIVE", "INKL", "INC", "ВКЛЮЧАЯ")
# "TOTAL" lines that count something else than money, or only a part of it (a GST summary's
# "Total 6% supplies (Inc. GST)" and "Total 0% supplies", above its "Total payable").
NOT_TOTAL_WORDS = (
    "QTY",
    "QUANTITY",
    "ITEMS",
    "ITEM",
    "PCS",
    "DISCOUNT",
    "DISCOUNTS",
    "SAVING",
    "SAVINGS",
    "POINTS",
    "SUPPLIES",
    "СКИДКА",
    "СКИДКИ",
    "ПОЗИЦИЙ",
)
# The cash total rounded to the smallest coin (Malaysia, Australia...): the total after it is paid.
ROUNDING_WORDS = ("ROUNDING", "ROUNDING ADJ", "ROUNDING ADJUSTMENT", "RND ADJ", "ROUND ADJ", "ОКРУГЛЕНИЕ")
# Lines that show what was paid by card; on a card slip the amount equals the total.
CARD_WORDS = (
    "KARTE",
    "KREDITKARTE",
    "EC-KARTE",
    "EC",
    "GIROCARD",
    "MASTERCARD",
    "MAESTRO",
    "VISA",
    "AMEX",
    "LASTSCHRIFT",
    "ELEC",
    "ELV",
    "BETRAG",
    "CARD",
    "DEBIT",
    "CREDIT",
    "БЕЗНАЛИЧНЫМИ",
    "КАРТА",
    "КАРТОЙ",
    "ЭЛЕКТРОННЫМИ",
)
# Cash handed over and change given back: never the total (the "BAR 20,00" trap).
CASH_GIVEN_WORDS = (
    "BAR",
    "BARGELD",
    "GEGEBEN",
    "CASH",
    "TENDERED",
    "PAID",
    "PAYMENT",
    "НАЛИЧНЫМИ",
    "НАЛИЧНЫЕ",
    "ПОЛУЧЕНО",
)
CHANGE_WORDS = ("RÜCKGELD", "RUCKGELD", "ZURÜCK", "ZURUCK", "WECHSELGELD", "CHANGE", "CHANGE DUE", "СДАЧА")
# Tax table words: its "total" row repeats the gross total, but its other numbers are not items.
TAX_WORDS = ("MWST", "MWST.", "MEHRWERTST", "UST", "STEUER", "VAT", "TAX", "GST", "SST", "НДС", "НАЛОГ")

# Well-known chains (DE, RU, EN retail), matched anywhere on the receipt, also inside a web
# domain or e-mail address: OCR often cannot read a logo, but the footer names the shop.
# name -> extra spellings (lower case, without umlauts/ё). Short or common words carry a
# pattern that needs more context, so "Netto" in a tax table is not a shop.
CHAINS: dict[str, tuple[str, ...]] = {
    "ALDI": ("aldi",),
    "LIDL": ("lidl",),
    "REWE": ("rewe",),
    "EDEKA": ("edeka",),
    "Kaufland": ("kaufland",),
    "Netto": ("netto marken-discount", "netto-online", "netto city"),
    "Penny": ("penny",),
    "real": ("real gmbh", "real,-", "real.de", "real sb"),
    "Marktkauf": ("marktkauf",),
    "Norma": ("norma lebensmittel", "norma.de"),
    "Globus": ("globus",),
    "IKEA": ("ikea",),
    "Hornbach": ("hornbach",),
    "OBI": ("obi markt", "obi.de", "obi baumarkt"),
    "Bauhaus": ("bauhaus",),
    "toom": ("toom", "toom baumarkt"),
    "Hagebau": ("hagebau",),
    "ROLLER": ("roller.de", "roller gmbh"),
    "Poco": ("poco.de", "poco einrichtung"),
    "Rossmann": ("rossmann",),
    "dm": ("dm-drogerie", "dm.de", "dm drogerie"),
    "Müller": ("mueller drogerie", "mueller.de"),
    "MediaMarkt": ("mediamarkt", "media markt"),
    "Saturn": ("saturn.de", "saturn electro"),
    "Tchibo": ("tchibo",),
    "Deichmann": ("deichmann",),
    "H&M": ("h&m", "hm.com"),
    "C&A": ("c&a",),
    "Apotheke": ("apotheke", "pharmacy", "аптека"),
    "Пятёрочка": ("пятерочка", "5ka.ru", "агроторг"),
    "Магнит": ("магнит", "тандер", "magnit"),
    "Перекрёсток": ("перекресток", "perekrestok"),
    "ВкусВилл": ("вкусвилл", "vkusvill"),
    "Лента": ("лента", "lenta.com"),
    "Ашан": ("ашан", "auchan"),
    "Дикси": ("дикси",),
    "Метро": ("metro cash", "метро кэш"),
    "Азбука вкуса": ("азбука вкуса",),
    "Walmart": ("walmart", "wal-mart"),
    "Target": ("target.com", "target store"),
    "Costco": ("costco",),
    "Kroger": ("kroger",),
    "Walgreens": ("walgreens",),
    "CVS": ("cvs pharmacy", "cvs.com"),
    "Tesco": ("tesco",),
    "Marks & Spencer": ("marks & spencer", "marksandspencer", "marks and spencer"),
    "Sainsbury's": ("sainsbury",),
    "Asda": ("asda",),
    "Morrisons": ("morrisons",),
    "Starbucks": ("starbucks",),
    "McDonald's": ("mcdonald",),
}

# Currency marks that name one currency, counted wherever printed: the most printed wins.
CURRENCY_MARKS = (
    ("EUR", ("€", "EUR", "EURO")),
    ("RUB", ("₽", "RUB", "РУБ", "РУБ.", "Р.")),
    ("GBP", ("£", "GBP")),
    ("MYR", ("MYR", "RM")),
    ("USD", ("USD", "US$")),
    ("CHF", ("CHF",)),
    ("UAH", ("₴", "UAH", "ГРН")),
    ("KZT", ("₸", "KZT", "ТГ")),
    ("BYN", ("BYN",)),
    ("PLN", ("PLN", "ZŁ", "ZL")),
)
# "$" is the dollar of many countries: USD only when nothing else tells the country.
DOLLAR = "$"
# Without a printed mark, where the receipt is from (regular expressions on the upper-case text):
# the legal forms, tax names and tax ids of one country. A Cyrillic receipt is Russian (RUB).
CURRENCY_EVIDENCE = (
    ("EUR", r"\bMWST\b|MEHRWERTST|\bSUMME\b|ZU ZAHLEN|\bUST\b|\bGMBH\b|\bTVA\b"),
    ("MYR", r"\bSDN\.? ?BHD\b|\bBERHAD\b|\bMALAYSIA\b|\bSST\b|\bGST\b"),
    # A Malaysian address: its street and estate words, a state or the capital after a postcode.
    (
        "MYR",
        r"\bJALAN\b|\bJLN\b|\bTAMAN\b"
        r"|\b\d{5},? (?:KUALA LUMPUR|SELANGOR|JOHOR|PENANG|PERAK|KEDAH|MELAKA|PAHANG|SABAH|SARAWAK)",
    ),
    # A Russian receipt's legal form (its О read Latin, too), words of the till, the tax id and
    # the fiscal drive's numbers, when OCR made the page half Latin.
    ("RUB", r"(?<![А-ЯЁA-Z])(?:[ОO]{3}|ККТ|КАССИР|НДС|(?:ИНН|ФН|ФД|ФП)\W{0,3}\d{4})(?![А-ЯЁA-Z])"),
    ("GBP", r"\bVAT (?:NO|NUMBER|REG)\b.{0,6}GB ?\d{3}|\bGB ?\d{3} ?\d{4} ?\d{2}\b|\.CO\.UK\b"),
)

# A receipt's heading, never the shop's name (compared with a whole line, upper case).
NOT_NAMES = ("EUR", "EURO", "KASSENBON", "QUITTUNG", "RECHNUNG", "КАССОВЫЙ ЧЕК", "ЧЕК", "RECEIPT")
# Words of a header line that is no name: addresses, phones, tax ids, the document's heading.
NOT_NAME_WORDS = (
    "STRASSE", "STR", "STREET", "ROAD", "JALAN", "JLN", "TAMAN", "LOT", "NO", "TEL", "FAX", "PHONE",
    "GST", "VAT", "REG", "INVOICE", "RECEIPT", "BILL", "CASHIER", "WWW", "HTTP", "COM",
    "УЛ", "Г", "Д", "ПР", "ТЕЛ", "ИНН", "ККТ", "КАССОВЫЙ", "ЧЕК", "КАССИР", "ПРИХОД",
)  # fmt: skip
# Legal forms and business words that mark a line as the company's name (upper case, whole words).
COMPANY_WORDS = (
    "SDN BHD", "SDN. BHD", "BHD", "BERHAD", "S/B", "ENTERPRISE", "ENTERPRISES", "TRADING", "RESTAURANT",
    "RESTORAN", "STATIONERY", "HARDWARE", "MARKETING", "HOLDINGS", "LTD", "LIMITED", "PLC", "INC", "LLC",
    "GMBH", "AG", "KG",
)  # fmt: skip
# Endings of street names ("Pohlweg", "Hauptstraße" upper-cased to "HAUPTSTRASSE").
STREET_ENDINGS = ("STRASSE", "STR.", "WEG", "PLATZ", "ALLEE", "GASSE")
# Russian legal forms: ООО "Агроторг", АО «Дикси Юг», ИП Иванов (OCR reads their О as 0 often).
LEGAL_FORMS_RU = ("ООО", "ОАО", "ЗАО", "ПАО", "НАО", "АО", "ИП")
# A legal entity on such a line is not the shop: the fiscal data operator (ОФД: ООО "Ярус").
NOT_MERCHANT_WORDS = ("ОФД", "ФД", "ОПЕРАТОР")
# Month names (en, de, ru; the first letters a printer abbreviates to) -> month number.
MONTHS = {
    "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
    "NOV": 11, "DEC": 12, "MÄR": 3, "MAI": 5, "OKT": 10, "DEZ": 12,
    "ЯНВ": 1, "ФЕВ": 2, "МАР": 3, "АПР": 4, "МАЯ": 5, "МАЙ": 5, "ИЮН": 6, "ИЮЛ": 7, "АВГ": 8, "СЕН": 9,
    "ОКТ": 10, "НОЯ": 11, "ДЕК": 12,
}  # fmt: skip
