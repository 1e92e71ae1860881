"""Turn OCR text of a receipt into the shared ``Receipt`` model (the offline engine's parser).

OCR of thermal prints is noisy, so no single line is trusted on its own. Every field is chosen
by weighing evidence from the whole receipt: the total is the amount that the most lines agree
on (the "SUMME" line, the card payment slip, the tax table, cash given minus change, the sum of
the items); the date is the valid date printed most often. The words it looks for are data, in
keywords.py, so a new language or chain is one line there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from receiptbot.reading.model import FiscalData, Item, Merchant, Receipt, TaxLine
from receiptbot.reading.ocr.keywords import (
    AMOUNT_DUE_WORDS,
    CARD_WORDS,
    CASH_GIVEN_WORDS,
    CHAINS,
    CHANGE_WORDS,
    COMPANY_WORDS,
    CURRENCY_EVIDENCE,
    CURRENCY_MARKS,
    DOLLAR,
    FUZZY_KEYWORDS,
    LEGAL_FORMS_RU,
    MONTHS,
    NOT_MERCHANT_WORDS,
    NOT_NAME_WORDS,
    NOT_NAMES,
    NOT_TOTAL_WORDS,
    ROUNDING_WORDS,
    STREET_ENDINGS,
    SUBTOTAL_WORDS,
    TAX_INCLUDED_WORDS,
    TAX_WORDS,
    TOTAL_WORDS,
)

# The amount line of a card slip: "EUR 15,69", "Amount £28.64", "(Руб): 668.59" (a bare "1,99" is
# not one).
_SLIP_AMOUNT = re.compile(
    r"(?:AMOUNT[ :]*)?"
    r"(?:\(?(?:EUR|EURO|€|USD|\$|RUB|РУБ\.?|₽|£|GBP)\)?[ :.=_]*[-\d., ]+|[-\d., ]+ ?(?:EUR|€|РУБ\.?|₽))"
)
# A slip's amount line with its currency mark ("Amount £16.78"): what a photo's edge adds to it
# around ("\\ , Amount £16.78 , o SOSS") does not hide it.
_MARKED_SLIP_AMOUNT = re.compile(r"(?<![A-ZÄÖÜА-ЯЁ])AMOUNT[ :]*(?:EUR|€|£|GBP|\$|USD)[ :]*\d")
# A photo's line often starts or ends in a mark or two read from the table or the paper's edge.
_EDGE_NOISE = re.compile(r"^(?:[^\w\d€£$₽]{1,2} |\w )+|(?: [^\w\d€£$₽]{1,2}| \w)+$")

# Cyrillic letters OCR puts into Latin words (and back), when a model for each script runs.
# One way only, Cyrillic to Latin, also г/r and п/n: "Маг" is a misread "Mar".
_CYR_TO_LAT = str.maketrans("АВЕКМНОРСТУХаеорсухгп", "ABEKMHOPCTYXaeopcyxrn")
_LAT_TO_CYR = str.maketrans("ABEKMHOPCTYXaeopcyx", "АВЕКМНОРСТУХаеорсух")

# Letters that OCR (of Cyrillic above all) reads in place of digits: З/3, О/0, Б/6.
_LETTER_TO_DIGIT = str.maketrans("ЗОоOoБб", "3000066")
_AMOUNT_LOOKALIKE = re.compile(
    r"(?<![A-Za-zА-Яа-яЁё\d])[\dЗОоOoБб]{1,6} ?[.,] ?[\dЗОоOoБб]{2}(?![A-Za-zА-Яа-яЁё\d])"
)
_SIGNED_CURRENCY = re.compile(r"-\s?(?:RM|£|\$|€|EUR|GBP|USD)\s?(?=\d)")
CENT = Decimal("0.01")
MAX_ROUNDING = Decimal("0.50")  # a rounding line moves the total by less than the smallest coin's half
_CYR = re.compile(r"[А-Яа-яЁё]")
_LAT = re.compile(r"[A-Za-zÄÖÜäöüß]")
# 12,34 / 12.34 / 1234,50 with OCR's stray spaces ("19, 46", "40 ,00"); a grouped form for
# Russian receipts ("1 234,50"); an optional glued tax-class digit ("0,258" = "0,25 B").
_AMOUNT = re.compile(r"(?<![\d.,])(-?\d{1,6}) ?[.,] ?(\d{2})(\d?)(?![\d%])")
_AMOUNT_GROUPED = re.compile(r"(?<![\d.,])(-?\d{1,3}(?:[ \u00a0]\d{3})+)[.,](\d{2})(?![\d%])")
# A Russian till prints its amounts after "=" ("ИТОГ =500.00"): there, OCR's space for a lost point
# ("=500 00") is read as the point.
_POINT_LOST = re.compile(r"(?<=[=≡])(\d{1,6}) (\d{2})(?![\d.,])")
# A date is not part of a longer chain of numbers ("47/04- 1.04.20" is no 2004-01-04 or 2020-04-01).
_NO_NUMBER_BEFORE = r"(?<!\d)(?<!\d[./,-])(?<!\d[./,-] )"
# A full date with a four-digit year may follow a number and a space ("REG #19- 10/03/2018").
_DATE_DMY = re.compile(
    r"(?<!\d)(?<!\d[./,-])(?:(?<!\d[./,-] )|(?=\d{1,2} ?[./,-] ?\d{1,2} ?[./,-] ?(?:19|20)\d{2}))"
    r"(\d{1,2}) ?[./,-] ?(\d{1,2}) ?[./,-] ?((?:19|20)\d{2}|\d{2})"
    # "01.03. 15:59" (its year lost) is no 2015: 15 is the hour; "11.04.2009:51" is a two-digit
    # year with its time glued on (OCR lost the space), not 2009.
    r"(?:(?!\d|[./,-]\d| ?:\d)|(?=[0-2]\d:[0-5]\d))"
)
# OCR drops a dot now and then ("24 04.2020", "24.04 20 13:42"): one separator may be a space,
# when the year has four digits or a time follows; after "Datum" both may ("Datum 24 04 2020").
_DATE_LOOSE = re.compile(
    _NO_NUMBER_BEFORE
    + r"(?<![.,])(\d{1,2})([ ./,-]{1,2})(\d{1,2})([ ./,-]{1,2})((?:19|20)\d{2}|\d{2})(?![\d.,]| ?:\d)"
    r"( +[0-2]?\d:[0-5]\d)?"
)
# What OCR reads for an "l" beside letters ("1idl.co.uk", "Lid]"): for finding chain names.
_L_LOOKALIKE = re.compile(r"(?<=[a-z])[1|\]!]|[1|\[](?=[a-z])")
_COMPANY_WORD_PARTS = frozenset(part for words in COMPANY_WORDS for part in words.replace(".", "").split())
_PARENTHESES = re.compile(r"\([^)]*\)?")
_DATE_WORD = re.compile(r"DATUM|DATE|ДАТА")
_DATE_WORD_ALONE = re.compile(rf"\b(?:{_DATE_WORD.pattern})\b")
# Three numbers with two separators, as OCR reads a date or a time ("08.10.16", "8.04.20", "16:14:51").
_DATE_OR_TIME = re.compile(r"\d\s?[./,:-]\s?\d{1,2}\s?[./,:-]\s?\d{2}")
# Two "label: amount" pairs side by side, as Russian tills print their totals in two columns
# ("НАЛИЧНЫМИ: 0.00 ИТОГ: 59.80"): a line is split after an amount that a label with a colon follows.
_LABELLED_PAIR_BREAK = re.compile(r"(?<=\d[.,]\d\d)\s+(?=[^\W\d_]{3,}[^\d:]{0,20}:)")
# After "Date:", a date whose separators OCR read as digits or lost ("041272017" for 04/12/2017,
# "1404/2018"): two digits, two digits and a four-digit year, with at most one character between.
_DATE_RUN = re.compile(r"(?<![\d/])(\d{2}[/\d]?\d{2}[/\d]?)((?:19|20)\d{2})(?![\d/])")
# "05 MAR 2018", "5 March 2018", "15 января 2024", "MAR 05, 2018" (on the upper-case text).
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")[A-ZÄА-ЯЁ]{0,6}\.?"
_DATE_DAY_MONTH = re.compile(
    r"(?<![\dA-ZА-ЯЁ])(\d{1,2})[ .\-/]{0,2}" + _MONTH + r"[ .,\-/]{0,2}((?:19|20)\d{2}|\d{2})(?![\d:])"
)
_DATE_MONTH_DAY = re.compile(r"(?<![A-ZА-ЯЁ])" + _MONTH + r" (\d{1,2}),? ((?:19|20)\d{2})(?!\d)")
_DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
# "9.00 Uhr - 20.00 Uhr": opening hours, not amounts.
_CLOCK = re.compile(r"(?<![\d.,])\d{1,2}[.:,]\d{2} ?(?:UHR|H)\b", re.I)
_TIME = re.compile(r"(?<![\d:.])([01]?\d|2[0-3]) ?: ?([0-5]\d)(?: ?: ?[0-5]\d)?(?![\d])")
# Two letters or digits in a row: a line without them is OCR's specks, not a line of the receipt.
_WORD_OR_NUMBER = re.compile(r"[^\W_]{2}")
_PERCENT = re.compile(r"(\d{1,2})(?:[.,](\d{1,2}))? ?%")
# "2 x 4,85", "2,000 x 3,99", "2 Rolle x 4,85" and the other way round, "0,99 x 2" (OCR reads
# that "x" as "%" at times; the item check that quantity x price = amount keeps it honest).
_QTY_TIMES_PRICE = re.compile(
    r"(?<![\d,.])(\d{1,4}(?:[.,]\d{1,3})?) ?[a-zA-Z]{0,6} ?[x×*%] ?(\d{1,5}[.,]\d{2})(?!\d)"
)
_PRICE_TIMES_QTY = re.compile(r"(?<![\d,.])(\d{1,5}[.,]\d{2}) ?[x×*%] ?(\d{1,3})(?![\d,.])")
# ООО "Агроторг", АО ТД «Перекресток», ИП Иванов И.И.: the form (its О also read as 0 or O, its
# З as 3), an optional short word (ТД), then the name in quotes, or up to three words without.
_LEGAL_FORM_OCR = {form: form.replace("О", "[ОоO0]").replace("З", "[З3]") for form in LEGAL_FORMS_RU}
_LEGAL_ENTITY_RU = re.compile(
    rf"(?<![\w])({'|'.join(_LEGAL_FORM_OCR.values())})\s+(?:([А-ЯЁA-Z]{{1,3}})\s+)?"
    r"(?:[«\"“”„'‘’]+\s*([^«»\"“”„]{2,40}?)\s*[»\"“”„'‘’]|([А-ЯЁ][а-яё]+(?: [А-ЯЁ][а-яё.]+){0,2}))"
)
_INN = re.compile(r"ИНН[:\s]*(\d{10}|\d{12})(?!\d)")
_VAT_ID = re.compile(r"(?:UST|UID|VAT)[-.\s]*(?:ID)?[-.\s]*(?:NR|NO)?[.:\s]*(DE ?\d{3} ?\d{3} ?\d{3})", re.I)
_FISCAL = {"fn": re.compile(r"ФН[:\s№]*(\d{16})"), "fd": re.compile(r"ФД[:\s№]*(\d{1,10})"),
           "fp": re.compile(r"ФП[:\s№]*(\d{6,10})")}  # fmt: skip


@dataclass
class _Line:
    text: str  # homoglyph-repaired text
    upper: str  # upper case, for keyword matching
    amounts: list[Decimal]


@dataclass
class ParsedReading:
    """One OCR reading parsed: the receipt, and the votes its lines gave each total and date."""

    receipt: Receipt
    total_votes: Counter[Decimal]
    date_votes: Counter[str]


def parse_receipt_text(text: str, today: Date | None = None) -> Receipt:
    """Parse one OCR reading of a receipt; the total and the date are voted on by its lines."""
    return parse_reading(text, today).receipt


def parse_reading(text: str, today: Date | None = None) -> ParsedReading:
    """parse_receipt_text, with the votes (for weighing several readings of one receipt)."""
    cyrillic = _is_cyrillic(text)
    lines = _lines(text, cyrillic)
    items = _items(lines)
    currency = _currency(lines, cyrillic)
    total_votes = _total_votes(lines, items)
    date_votes = _date_votes(lines, today or Date.today(), _month_first(currency))
    # On a tie the first printed wins (max keeps the first): the shop's own part of a receipt
    # comes before the card slip and the small print.
    total = max(total_votes, key=total_votes.__getitem__) if total_votes else None
    day = max(date_votes, key=date_votes.__getitem__) if date_votes else None
    full_text = "\n".join(line.text for line in lines)
    receipt = Receipt(
        merchant=Merchant(name=_merchant(lines), tax_id=_tax_id(full_text)),
        date=day,
        time=_time(lines, day),
        total=total,
        currency=currency,
        taxes=_taxes(lines),
        payment_method=_payment_method(lines),
        items=items,
        fiscal=_fiscal(full_text),
    )
    return ParsedReading(receipt, total_votes, date_votes)


def date_votes(text: str, currency: str | None, today: Date | None = None) -> Counter[str]:
    """The dates on ``text`` and their votes as parse_reading weighs them, for lines that another
    engine read again; ``currency`` is the receipt's (it decides the order of day and month)."""
    lines = _lines(text, _is_cyrillic(text))
    return _date_votes(lines, today or Date.today(), _month_first(currency))


def might_hold_date(text: str) -> bool:
    """A line of OCR text with a date or a time on it, however misread, or a date's keyword."""
    return bool(_DATE_OR_TIME.search(text) or _DATE_WORD_ALONE.search(text.upper()))


def _month_first(currency: str | None) -> bool:
    return currency == "USD"  # 03/04/2024 is March 4 in the US


# --- text clean-up -------------------------------------------------------------------------------


def _is_cyrillic(text: str) -> bool:
    return len(_CYR.findall(text)) > len(_LAT.findall(text))


def _fix_word(word: str, cyrillic_doc: bool) -> str:
    """Put a word into one script: OCR with two alphabets mixes lookalike letters."""
    cyr, lat = len(_CYR.findall(word)), len(_LAT.findall(word))
    if not cyr or (not lat and cyrillic_doc):
        return word  # one script already (a Latin brand name on a Russian receipt stays Latin)
    # Into the receipt's script when every letter has a lookalike there (so a Cyrillic word on a
    # German receipt made only of lookalikes is a misread German word), else the word's majority.
    to_doc = word.translate(_LAT_TO_CYR if cyrillic_doc else _CYR_TO_LAT)
    if not (_LAT if cyrillic_doc else _CYR).search(to_doc):
        return to_doc
    if not lat:
        return word
    return word.translate(_CYR_TO_LAT if lat > cyr else _LAT_TO_CYR)


def _lines(text: str, cyrillic_doc: bool) -> list[_Line]:
    lines = []
    for raw in (part for row in text.splitlines() for part in _LABELLED_PAIR_BREAK.split(row)):
        clean = " ".join(_fix_word(word, cyrillic_doc) for word in raw.split())
        if clean:
            upper = " ".join(_fix_keyword(word) for word in clean.upper().split())
            lines.append(_Line(clean, upper, _amounts(clean, cyrillic_doc)))
    return lines


def _fix_keyword(word: str) -> str:
    """A misread keyword ("TOTA!", "TOVAL:") as the keyword, its punctuation kept; else the word.
    An edit per six letters of the keyword, at least one: a long word has more letters to misread."""
    core = word.strip(".,:;()")
    if len(core) < 5 or core in FUZZY_KEYWORDS:
        return word
    letters = core.replace("!", "L").replace("0", "O")
    for keyword in FUZZY_KEYWORDS:
        if abs(len(keyword) - len(letters)) <= 1 and _distance(letters, keyword) <= max(1, len(keyword) // 6):
            return word.replace(core, keyword)
    return word


def _amounts(text: str, cyrillic_doc: bool) -> list[Decimal]:
    # Dates and times look like amounts ("15.04" in "15.04.20"); take them out first. A currency
    # between a minus and the number ("-RM0.02", "-£1.00") goes, so the minus stays.
    text = _SIGNED_CURRENCY.sub("-", _repair_digits(text))
    text = _CLOCK.sub(" ", _TIME.sub(" ", _DATE_DMY.sub(" ", text)))
    found: list[tuple[int, Decimal]] = []
    if cyrillic_doc:  # a Russian receipt: its grouped thousands, its "=" marks
        text = _POINT_LOST.sub(r"\1.\2", text)
        for m in _AMOUNT_GROUPED.finditer(text):
            whole = re.sub(r"\s", "", m.group(1))
            found.append((m.start(), Decimal(f"{whole}.{m.group(2)}")))
        text = _AMOUNT_GROUPED.sub(lambda m: " " * len(m.group(0)), text)
    for m in _AMOUNT.finditer(text):
        found.append((m.start(), Decimal(f"{m.group(1)}.{m.group(2)}")))
    return [value for _, value in sorted(found)]


def _repair_digits(text: str) -> str:
    """Letters OCR reads for digits inside an amount ("=1О5.ЗО" -> "=105.30"), when the amount
    has a real digit too: a word stays a word."""

    def repair(match: re.Match[str]) -> str:
        amount = match.group(0)
        return amount.translate(_LETTER_TO_DIGIT) if re.search(r"\d", amount) else amount

    return _AMOUNT_LOOKALIKE.sub(repair, text)


def _has_word(upper: str, words: Sequence[str]) -> bool:
    return any(re.search(rf"(?<![A-ZÄÖÜА-ЯЁ]){re.escape(w)}(?![A-ZÄÖÜА-ЯЁ])", upper) for w in words)


def fold_name(text: str) -> str:
    """Lower case with umlauts spelled out (ä -> ae) and ё as е, for comparing names."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return text.replace("ё", "е")


# --- total -------------------------------------------------------------------------------------


def _kind(line: _Line) -> str:
    """What a line with an amount says: total, subtotal, tax, rounding, change, cash given, card
    payment, a count ("TOTAL QTY"), a card slip's bare amount, or an item."""
    up = line.upper
    if _has_word(up, CHANGE_WORDS):
        return "change"
    card = _has_word(up, CARD_WORDS)
    if _has_word(up, CASH_GIVEN_WORDS) and not card:
        return "cash"
    if _has_word(up, ROUNDING_WORDS):
        return "rounding"
    total = _has_word(up, TOTAL_WORDS)
    if total and _has_word(up, NOT_TOTAL_WORDS):
        return "count"  # "TOTAL QTY 3", "TOTAL DISCOUNT 2,09"
    # A tax table row; "Milch 3,5% 1,19" is an item, "Total 6% supplies: 25,56" a tax breakdown.
    if _has_word(up, TAX_WORDS) or (_PERCENT.search(up) and (len(line.amounts) >= 2 or total)):
        if total and _has_word(up, TAX_INCLUDED_WORDS) and not _has_word(up, SUBTOTAL_WORDS):
            return "total"  # "Total Incl. of GST 31.37"
        return "tax"
    if _has_word(up, SUBTOTAL_WORDS):
        return "subtotal"
    if total:
        return "total"
    if card:
        return "card"
    if _SLIP_AMOUNT.fullmatch(_EDGE_NOISE.sub("", up.strip())) or (
        len(line.amounts) == 1 and _MARKED_SLIP_AMOUNT.search(up)
    ):
        return "bare"  # "EUR 15,69" alone: the amount line of a card slip
    return "item"


def _total_votes(lines: list[_Line], items: list[Item]) -> Counter[Decimal]:
    """Score every amount that could be the total by how many independent lines support it."""
    votes: Counter[Decimal] = Counter()
    cash: list[Decimal] = []
    change: list[Decimal] = []
    first_total = True
    last_total: Decimal | None = None
    rounded = False  # a rounding line was printed: the next total is the rounded one, to be paid
    # Weights: four per independent line; the receipt's own first total line one more (it wins
    # a tie), the first total after a rounding line two more (the one before was not paid), the
    # tax table's total row half (it is often a column sum, not the total).
    total_above = False  # a total's word whose amount OCR put on the next line ("ВСЕГО:" / "=474.70")
    for line in lines:
        if not line.amounts:
            # OCR's specks between the word and its amount ("= | {") do not part them.
            total_above = _kind(line) == "total" or (total_above and not _WORD_OR_NUMBER.search(line.text))
            continue
        kind, last = _kind(line), line.amounts[-1]
        if kind == "item" and total_above:
            kind = "total"
        total_above = False
        if kind == "total" and last > 0:
            due = _has_word(line.upper, AMOUNT_DUE_WORDS)
            votes[last] += 4 + first_total + 2 * rounded + 3 * due
            first_total, rounded, last_total = False, False, last
        elif kind == "rounding":
            if last_total is not None and abs(last) < MAX_ROUNDING:
                votes[last_total + last] += 4  # the total before rounding, rounded
            rounded = True
        elif kind == "tax" and _has_word(line.upper, TOTAL_WORDS) and len(line.amounts) > 1:
            votes[max(line.amounts)] += 2  # the gross column of the tax table's total row
        elif kind in ("card", "bare") and last > 0:
            votes[last] += 4 + 2 * rounded
            rounded = False
        elif kind == "cash":
            cash.append(last)
        elif kind == "change":
            change.append(abs(last))
    for given in cash:
        for back in change:
            if given - back > 0:
                votes[given - back] += 4  # paid minus change is the total
    item_sum = sum((item.amount for item in items if item.amount is not None), Decimal(0))
    if item_sum in votes:
        # Several amounts read one by one that add up to a candidate exactly: rarely chance.
        votes[item_sum] += 6 if len(items) > 1 else 4
    return votes


# --- date and time ----------------------------------------------------------------------------


def _date_votes(lines: list[_Line], today: Date, month_first: bool) -> Counter[str]:
    votes: Counter[str] = Counter()
    for line in lines:
        found = [(d, m, y) for d, m, y in _DATE_DMY.findall(line.text)]
        found += [(d, m, y) for y, m, d in _DATE_ISO.findall(line.text)]
        found += [(d, str(MONTHS[m]), y) for d, m, y in _DATE_DAY_MONTH.findall(line.upper)]
        found += [(d, str(MONTHS[m]), y) for m, d, y in _DATE_MONTH_DAY.findall(line.upper)]
        keyword = bool(_DATE_WORD.search(line.upper))
        if not found:
            found = [
                (d, m, y)
                for d, sep1, m, sep2, y, time in _DATE_LOOSE.findall(line.text)
                if ((sep1 + sep2).strip(" ") or keyword) and (len(y) == 4 or time)
            ]
        if not found:
            found = _date_runs(line.text, month_first, keyword)
        for d, m, y in found:
            first, second = (int(m), int(d)) if month_first else (int(d), int(m))
            day = _valid_date(first, second, int(y), today)
            if day:
                # A date beside a time or after "Datum" is the purchase, not a printed promo date.
                # "1.04.20" counts half: printers pad the day like the month, so OCR lost a digit.
                # A date that reads only in the other country's order ("01/19/2017" on a receipt
                # written day first) is most likely a digit misread: it counts least.
                purchase = 2 if _TIME.search(line.text) or keyword else 1
                weight = purchase * (1 if len(d) < len(m) == 2 else 2)
                votes[day.isoformat()] += 1 if second > 12 else weight
    return votes


def _date_runs(text: str, month_first: bool, keyword: bool) -> list[tuple[str, str, str]]:
    """The dates of _DATE_RUN whose day and month split one way only (04|12|7 in "041272017";
    04|27 is no date), in printed order as _DATE_DMY finds them: after a date's keyword, or with
    one of its slashes read ("1404/2018")."""
    found = []
    for head, year in _DATE_RUN.findall(text):
        if not (keyword or "/" in head):
            continue
        # The character between (one in five, two in six) is before or after the second number.
        splits = {(head[:2], head[2:4]), (head[:2], head[-2:])} if len(head) < 6 else {(head[:2], head[3:5])}
        valid = {
            (first, second)
            for first, second in splits
            if first.isdigit()
            and second.isdigit()
            and 1 <= int(first) <= (12 if month_first else 31)
            and 1 <= int(second) <= (31 if month_first else 12)
        }
        if len(valid) == 1:
            first, second = valid.pop()
            found.append((first, second, year))
    return found


def _valid_date(day: int, month: int, year: int, today: Date) -> Date | None:
    year += 2000 if year < 100 else 0
    if month > 12 >= day:  # written month first (US style)
        day, month = month, day
    try:
        result = Date(year, month, day)
    except ValueError:
        return None
    return result if Date(2000, 1, 1) <= result <= today else None


def _time(lines: list[_Line], day: str | None) -> str | None:
    """The time on the date's line if there is one, else the first time printed."""
    times = []
    for line in lines:
        match = _TIME.search(line.text)
        if match:
            on_date_line = bool(day) and bool(_DATE_DMY.search(line.text) or _DATE_ISO.search(line.text))
            times.append((not on_date_line, f"{int(match.group(1)):02d}:{match.group(2)}"))
    return min(times)[1] if times else None


# --- merchant ------------------------------------------------------------------------------------


def _merchant(lines: list[_Line]) -> str | None:
    """A chain named in the header, read exactly or nearly; else the company named in the header
    (ООО «…», "… SDN BHD"); else a chain named anywhere (a footer's "Aldi GmbH & Co. KG"); else
    the header's first line that reads like a name."""
    folded = [_L_LOOKALIKE.sub("l", fold_name(line.text)) for line in lines]
    # The header is what stands above the first priced line.
    header = max(next((i for i, line in enumerate(lines) if line.amounts), len(lines)), 3)
    return (
        _exact_chain(folded[:header])
        or _fuzzy_chain(folded[:header])
        or _company_line(lines[:header])
        or _exact_chain(folded)
        or _first_name_line(lines[:header])
    )


def _company_line(lines: list[_Line]) -> str | None:
    """The first line naming a company by its legal form: ООО "Агроторг" (as printed, the form
    spelled right), or a line of words with "SDN BHD", "TRADING", "LTD"..."""
    for line in lines:
        match = _LEGAL_ENTITY_RU.search(line.text)
        if match and not _has_word(line.upper.replace("0", "О"), NOT_MERCHANT_WORDS):
            form = next(f for f, ocr in _LEGAL_FORM_OCR.items() if re.fullmatch(ocr, match[1]))
            qualifier = f"{match[2]} " if match[2] else ""
            return f'{form} {qualifier}"{match[3]}"' if match[3] else f"{form} {qualifier}{match[4]}"
        if _has_word(line.upper, COMPANY_WORDS) and _reads_like_a_name(line, company=True):
            return line.text.strip(" |-_=.,:;'‘’\"")
    return None


def _exact_chain(texts: list[str]) -> str | None:
    """The chain whose name appears first."""
    best: tuple[int, str] | None = None
    for name, spellings in CHAINS.items():
        for spelling in spellings:
            pattern = rf"(?<![a-zа-я]){re.escape(fold_name(spelling))}(?![a-zа-я])"
            index = next((i for i, text in enumerate(texts) if re.search(pattern, text)), None)
            if index is not None:
                best = min(best or (index, name), (index, name))
    return best[1] if best else None


def _fuzzy_chain(texts: list[str]) -> str | None:
    """A misread chain name ("Merktkaut", "teal GmbH"): one edit per four letters. A four-letter
    name only when it stands alone on its line, like a logo ("LIDE"), so that a word such as
    "Tool" in "Tool Shop" does not pass for toom."""
    for text in texts:
        words = re.findall(r"[a-zа-я&]+", text)
        for name, spellings in CHAINS.items():
            for spelling in spellings:
                target = re.findall(r"[a-zа-я&]+", fold_name(spelling))
                letters = len("".join(target))
                if letters < 4 or (letters == 4 and len(words) != 1):
                    continue
                for start in range(len(words) - len(target) + 1):
                    window = " ".join(words[start : start + len(target)])
                    if _distance(window, " ".join(target)) <= letters // 4:
                        return name
    return None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _first_name_line(lines: list[_Line]) -> str | None:
    """The first line that reads like a name: not an address, phone, tax id or heading."""
    for line in lines:
        if _reads_like_a_name(line) and line.upper.strip() not in NOT_NAMES:
            return line.text.strip(" |-_=.,:;'‘’\"")
    return None


def _reads_like_a_name(line: _Line, company: bool = False) -> bool:
    """Mostly letters, a word of four letters or more, no amount, no word of an address, phone,
    tax id or heading. A company's line (its legal form says it is a name) may have short words
    only ("MR. D.I.Y. SDN BHD") and its registration number in parentheses ("(519537-X)")."""
    text = _PARENTHESES.sub(" ", line.text) if company else line.text
    letters = len(_LAT.findall(text)) + len(_CYR.findall(text))
    words = re.findall(r"[A-ZÄÖÜА-ЯЁ0-9.]+", text.upper())
    if line.amounts or letters < 0.7 * len(text.replace(" ", "")):
        return False
    if company:  # a word of three letters or more besides the legal form: "ag" alone is no name
        named = [w for w in re.findall(r"[A-ZÄÖÜА-ЯЁ/]{3,}", text.upper()) if w not in _COMPANY_WORD_PARTS]
        if not named:
            return False
    elif not re.search(r"[A-Za-zÄÖÜäöüßА-Яа-яЁё]{4}", text):
        return False
    return not any(w.strip(".") in NOT_NAME_WORDS or w.endswith(STREET_ENDINGS) for w in words)


# --- items, taxes and the rest -----------------------------------------------------------------


def _items(lines: list[_Line]) -> list[Item]:
    """Lines above the first total that start with a name and end in an amount."""
    items: list[Item] = []
    pending: tuple[Decimal, Decimal] | None = None  # a quantity printed above its item's line
    for index, line in enumerate(lines):
        kind = _kind(line)
        if line.amounts and kind in ("total", "subtotal", "rounding", "count", "card", "cash", "change"):
            break  # a heading such as "CASH BILL" or a column "Итого" has no amount: items go on
        if kind != "item" or not line.amounts:
            pending = None
            continue
        qty, amount, name = _quantity(line.text), line.amounts[-1], _item_name(line.text)
        if qty and amount != qty[1] and abs(qty[0] * qty[1] - amount) > CENT:
            qty = None  # the numbers do not multiply out: not a quantity
        if qty and amount == qty[1]:
            # A line of its own, "0,162 kg x 1,15" or "2 Rolle x 4,85": it belongs to the item
            # above when that one's amount is the product, else to the item below.
            above = items[-1] if items else None
            if above and above.amount is not None and abs(above.amount - qty[0] * qty[1]) <= CENT:
                above.quantity, above.unit_price = qty
            else:
                pending = qty
            continue
        if qty and not name:
            # "2,000 x 3,99 7,98" under its name line, which has no amount.
            above_line = lines[index - 1] if index else None
            above_name = _item_name(above_line.text) if above_line and not above_line.amounts else ""
            if above_name:
                items.append(Item(name=above_name, quantity=qty[0], unit_price=qty[1], amount=amount))
            continue
        if name:
            quantity, unit_price = qty or pending or (None, None)
            items.append(Item(name=name, quantity=quantity, unit_price=unit_price, amount=amount))
        pending = None
    return items


def _item_name(text: str) -> str:
    """The words before a line's last amount: tokens with two letters or more ("0,2 L", "A" go)."""
    starts = [m.start() for m in _AMOUNT.finditer(text)]
    head = text[: starts[-1]] if starts else text
    words = [w for w in head.split() if len(re.findall(r"[A-Za-zÄÖÜäöüßА-Яа-яЁё]", w)) >= 2]
    name = " ".join(words).strip(" -|:;.,_")
    return name if len(re.findall(r"[A-Za-zÄÖÜäöüßА-Яа-яЁё]", name)) >= 3 else ""


def _quantity(text: str) -> tuple[Decimal, Decimal] | None:
    """A "2 x 4,85" or "0,99 x 2" pair on a line: (quantity, unit price)."""
    m = _QTY_TIMES_PRICE.search(text)
    if m:
        return _number(m.group(1)), _number(m.group(2))
    m = _PRICE_TIMES_QTY.search(text)
    if m:
        return _number(m.group(2)), _number(m.group(1))
    return None


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _taxes(lines: list[_Line]) -> list[TaxLine]:
    """Tax table rows: a rate and a tax amount that the row's net or gross amount agrees with."""
    taxes = []
    for line in lines:
        rate_match = _PERCENT.search(line.text)
        if not rate_match or not line.amounts or _kind(line) != "tax":
            continue
        rate = Decimal(rate_match.group(1) + "." + (rate_match.group(2) or "0"))
        if not 0 < rate < 30:
            continue
        amounts = [a for a in line.amounts if a != rate]
        tax = _tax_amount(amounts, rate)
        if tax is None and len(amounts) == 1 and _has_word(line.upper, TAX_WORDS):
            tax = amounts[0]  # "НДС 20% =12.34"
        if tax is not None:
            taxes.append(TaxLine(rate=rate_match.group(0).replace(" ", ""), amount=tax))
    return taxes


def _tax_amount(amounts: list[Decimal], rate: Decimal) -> Decimal | None:
    tolerance = 2 * CENT
    for tax in amounts:
        for base in amounts:
            if base <= tax:
                continue
            from_net, from_gross = base * rate / 100, base * rate / (100 + rate)
            if min(abs(from_net - tax), abs(from_gross - tax)) <= tolerance:
                return tax
    return None


def _currency(lines: list[_Line], cyrillic: bool) -> str | None:
    """The currency with the most evidence: each printed code or unambiguous symbol, each sign of
    the country (its tax words, legal forms, tax ids; a Cyrillic receipt is Russian, worth three, as
    OCR of Cyrillic makes stray symbols). A bare "$" is USD only when nothing else says more."""
    text = " ".join(line.upper for line in lines)
    printed = " ".join(line.text for line in lines)
    votes: Counter[str] = Counter({"RUB": 3} if cyrillic else {})
    for code, marks in CURRENCY_MARKS:
        for mark in marks:
            if mark.isalpha() or mark.endswith("."):
                # A short Latin code counts as printed, in capitals: "rm" in OCR noise is no ringgit.
                where = printed if len(mark) <= 3 and _LAT.search(mark) else text
                votes[code] += len(re.findall(rf"(?<![A-ZÄÖÜА-ЯЁ]){re.escape(mark)}(?![A-ZÄÖÜА-ЯЁ])", where))
            else:
                votes[code] += text.count(mark)
    for code, pattern in CURRENCY_EVIDENCE:
        votes[code] += len(re.findall(pattern, text))
    if votes and max(votes.values()) > 0:
        return max(votes, key=votes.__getitem__)
    return "USD" if DOLLAR in text else None


def _payment_method(lines: list[_Line]) -> str | None:
    for line in lines:
        kind = _kind(line)
        if kind == "card":
            return "card"
        if kind == "cash":
            return "cash"
    return None


def _tax_id(text: str) -> str | None:
    match = _INN.search(text) or _VAT_ID.search(text)
    return match.group(1).replace(" ", "") if match else None


def _fiscal(text: str) -> FiscalData | None:
    found = {key: m.group(1) for key, pattern in _FISCAL.items() if (m := pattern.search(text))}
    return FiscalData(**found) if found else None
