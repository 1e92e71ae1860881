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
    "AMOUNT DUE",
    "BALANCE DUE",
    "ИТОГ",
    "ИТОГО",
    "К ОПЛАТЕ",
    "ВСЕГО",
    "СУММА",
)
# Sums before tax or discount: not the total.
SUBTOTAL_WORDS = ("SUBTOTAL", "SUB TOTAL", "SUB-TOTAL", "ZWISCHENSUMME", "ПОДЫТОГ")
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
    "НАЛИЧНЫМИ",
    "НАЛИЧНЫЕ",
    "ПОЛУЧЕНО",
)
CHANGE_WORDS = ("RÜCKGELD", "RUCKGELD", "ZURÜCK", "ZURUCK", "WECHSELGELD", "CHANGE", "СДАЧА")
# Tax table words: its "total" row repeats the gross total, but its other numbers are not items.
TAX_WORDS = ("MWST", "MWST.", "MEHRWERTST", "UST", "STEUER", "VAT", "TAX", "НДС", "НАЛОГ")

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
    "Sainsbury's": ("sainsbury",),
    "Asda": ("asda",),
    "Morrisons": ("morrisons",),
    "Starbucks": ("starbucks",),
    "McDonald's": ("mcdonald",),
}

# Currency evidence, strongest first: explicit codes and symbols, then words.
CURRENCY_MARKS = (
    ("EUR", ("€", "EUR", "EURO")),
    ("RUB", ("₽", "RUB", "РУБ", "РУБ.", "Р.")),
    ("USD", ("$", "USD", "US$")),
    ("GBP", ("£", "GBP")),
    ("CHF", ("CHF",)),
    ("UAH", ("₴", "UAH", "ГРН")),
    ("KZT", ("₸", "KZT", "ТГ")),
    ("BYN", ("BYN",)),
    ("PLN", ("PLN", "ZŁ", "ZL")),
)

# A receipt's heading, never the shop's name (compared with a whole line, upper case).
NOT_NAMES = ("EUR", "EURO", "KASSENBON", "QUITTUNG", "RECHNUNG", "КАССОВЫЙ ЧЕК", "ЧЕК", "RECEIPT")
