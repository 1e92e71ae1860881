"""The offline engine: Tesseract in-process, pages turned upright, the OCR language by the script.

The synthetic receipts need Tesseract's traineddata (make system-deps) and, for Cyrillic, a font
with Cyrillic glyphs (DejaVu); the real scans need the shared receipt sets.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zlib
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from helpers import SHARED_RECEIPTS
from PIL import Image, ImageDraw, ImageFont

from receiptbot.config import Settings
from receiptbot.reading import imaging
from receiptbot.reading.model import Receipt
from receiptbot.reading.ocr import pp_ocr, tesseract
from tools import phone_photos

DEV = SHARED_RECEIPTS
# Two layouts: a card payment with its slip, and cash handed over with change given back.
SCANS = ["lidl_07042020_06_01569.jpg", "aldi_18042020_11_00883.jpg"]
DEFAULTS = Settings.model_construct()  # the deployed settings: the upload limits preprocess passes
LIMITS = {"max_bytes": DEFAULTS.max_upload_bytes, "max_pixels": DEFAULTS.max_pixels}
FONT = "DejaVuSansMono.ttf"  # Latin and Cyrillic glyphs, monospaced like a receipt printer's


def _tessdata_missing() -> bool:
    try:
        tesseract.tessdata_dir()
    except RuntimeError:
        return True
    return False


pytestmark = pytest.mark.skipif(
    _tessdata_missing(), reason="Tesseract's traineddata is missing (make system-deps)"
)

LATIN = [
    "SUPERMARKT MUSTER",
    "MILCH 1,5%          1.19",
    "BROT VOLLKORN       2.49",
    "BUTTER              1.89",
]
LATIN += [
    "KAFFEE BOHNEN       6.99",
    "SUMME EUR          12.56",
    "BAR                20.00",
    "15.01.2024  18:30",
]
CYRILLIC = [
    'ООО "РОМАШКА"',
    "ИНН 7701234567",
    "КАССОВЫЙ ЧЕК",
    "МОЛОКО 3,2%          89.90",
    "ХЛЕБ БОРОДИНСКИЙ     54.00",
]
CYRILLIC += ["МАСЛО СЛИВОЧНОЕ     199.00", "ИТОГО               342.90", "НАЛИЧНЫМИ           500.00"]
CYRILLIC += ["СДАЧА               157.10", "15.01.24 18:30"]


def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        pytest.skip(f"no {FONT} (fonts-dejavu-core) to draw the receipt with")


def _printed(lines: list[str]) -> Image.Image:
    """A clean grayscale receipt, as preprocess hands it to the engine (text ~30 px high)."""
    font = _font(28)
    page = Image.new("L", (760, 60 + 48 * len(lines)), 255)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 48 * i), line, font=font, fill=20)
    return page


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")  # lossless: a turned copy holds exactly the same pixels
    return out.getvalue()


def _words(text: str) -> list[str]:
    return text.split()


def test_upside_down_page_reads_the_same_as_upright() -> None:
    page = _printed(LATIN)
    upright = tesseract.ocr_text(_png(page))
    assert "SUMME" in upright and "12.56" in upright
    assert tesseract.ocr_text(_png(page.rotate(180))) == upright


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        # Latin words read with little confidence: perhaps upside down, so read turned as well.
        ("SUPERMARKT MUSTER SUMME 12.56 15.01.2024", [tesseract.FIRST_LANGUAGES] * 2),
        # Cyrillic words: upright however unsure (upside down, a page reads as both scripts mixed).
        ("ООО РОМАШКА КАССОВЫЙ ЧЕК ИТОГО 342.90 15.01.24", [tesseract.FIRST_LANGUAGES, "rus"]),
    ],
)
def test_only_a_page_not_read_as_cyrillic_words_is_read_turned_when_unsure(
    monkeypatch: pytest.MonkeyPatch, text: str, readings: list[str]
) -> None:
    languages: list[str] = []

    def unsure(image: Image.Image, langs: str, psm: int = tesseract.PSM) -> tesseract._Text:
        languages.append(langs)
        return tesseract._Text(text, tesseract.UPRIGHT_CONFIDENCE - 15, [])

    monkeypatch.setattr(tesseract, "_read", unsure)
    tesseract.ocr_text(_png(_printed(LATIN)))

    assert languages == readings


@pytest.mark.parametrize("rotation", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_sideways_photo_is_turned_and_read_like_upright(rotation: int) -> None:
    scan = np.asarray(_printed(LATIN * 3))
    upright = imaging.prepare(cv2.imencode(".png", scan)[1].tobytes(), reader="tesseract", **LIMITS)
    sideways = imaging.prepare(
        cv2.imencode(".png", cv2.rotate(scan, rotation))[1].tobytes(), "tesseract", **LIMITS
    )

    assert (sideways.height > sideways.width) == (upright.height > upright.width)
    assert (
        tesseract.read_receipt(sideways.jpeg).total
        == tesseract.read_receipt(upright.jpeg).total
        == Decimal("12.56")
    )


def test_cyrillic_page_is_read_with_the_russian_model() -> None:
    text = tesseract.ocr_text(_png(_printed(CYRILLIC)))

    assert "ИТОГО" in text.upper() and "342.90" in text and "РОМАШКА" in text
    letters = [c for c in text if c.isalpha()]
    assert not [c for c in letters if c.isascii()], "rus alone puts no Latin letters into Russian words"
    assert tesseract.read_receipt(_png(_printed(CYRILLIC))).total == Decimal("342.90")


def test_cyrillic_page_is_read_in_both_layouts_unless_one_gives_total_and_date() -> None:
    # psm 3 reads the wide columns apart (words, then amounts): no total, so psm 6 reads it too.
    columns = tesseract.ocr_text(_png(_printed(CYRILLIC)))
    compact = tesseract.ocr_text(_png(_printed(['ООО "РОМАШКА"', "ИТОГО 342.90", "15.01.24 18:30"])))
    latin = tesseract.ocr_text(_png(_printed(LATIN)))

    # psm 3's reading, then psm 6's: every line of the receipt is there twice.
    assert columns.upper().count("ИТОГО") == 2
    # psm 3's reading has the total and the date: psm 6 would add nothing.
    assert compact.upper().count("ИТОГО") == 1 and "342.90" in compact
    assert latin.count("SUMME") == 1


def _readings(
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    smaller: str,
    one_column: str,
    languages: str = tesseract.FIRST_LANGUAGES,
    adaptive: str = "",
) -> list[str]:
    """The engine's three readings of a page replaced by these texts; returns the other readings made."""
    page = tesseract._Page(_printed(LATIN), languages, first)
    monkeypatch.setattr(tesseract, "_read_page", lambda image: page)
    looks: list[str] = []
    monkeypatch.setattr(tesseract, "_smaller", lambda p: looks.append("smaller") or smaller)
    monkeypatch.setattr(tesseract, "_one_column", lambda p: looks.append("one column") or one_column)
    monkeypatch.setattr(tesseract, "_adaptive_threshold", lambda p: looks.append("adaptive") or adaptive)
    return looks


def test_a_value_two_readings_agree_on_outvotes_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    looks = _readings(
        monkeypatch,
        first="SUMME 12.56\nDatum: 25.09,2016 13:56",
        smaller="SUMME 12,56\nDatum: 26.09.2016 13:57",
        one_column="SUMME 12.58\nDatum: 26.09.2016 13:56",
    )

    receipt = tesseract.read_receipt(b"")

    assert receipt.date == "2016-09-26" and receipt.time == "13:57"  # the time of the first with that date
    assert receipt.total == Decimal("12.56")  # the first two agree
    assert looks == ["smaller", "one column"]


@pytest.mark.parametrize(
    ("first", "smaller", "one_column", "total", "day"),
    [
        pytest.param(  # two readings took an item's amount; the third's total line and slip outweigh them
            "TOTAL 6.01\n04.12.2017",
            "TOTAL 6.01\n05.12.2017",
            "TOTAL 34.21\nVISA 34.21\nCARD 34.21\n04.12.2017",
            "34.21",
            "2017-12-04",
            id="lines-outweigh-two-readings",
        ),
        pytest.param(  # 16.04 once beside a date word (counts double), 15.04 twice: equal support
            "SUMME 9.99\nDatum 16.04.2020",
            "SUMME 9.99\n15.04.2020",
            "SUMME 9.99\n15.04.2020",
            "9.99",
            "2020-04-15",
            id="equal-support-goes-to-more-readings",
        ),
        pytest.param(  # every value once, with the same support: the first reading's
            "SUMME 5.41\n29.02.20",
            "SUMME 5.47\n24.02.20",
            "SUMME 5.17\n20.02.20",
            "5.41",
            "2020-02-29",
            id="no-majority-first-stands",
        ),
        pytest.param(  # each total once; 29.10 on the total line and the card slip's
            "SUMME 9.10\n15.04.20",
            "SUMME 29.10\nKARTE 29.10\n15.04.20",
            "SUMME 0.10\n15.04.20",
            "29.10",
            "2020-04-15",
            id="tie-to-most-supported",
        ),
    ],
)
def test_the_readings_vote_by_their_lines_support(
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    smaller: str,
    one_column: str,
    total: str,
    day: str,
) -> None:
    _readings(monkeypatch, first, smaller, one_column)

    receipt = tesseract.read_receipt(b"")

    assert (receipt.total, receipt.date) == (Decimal(total), day)


def test_three_readings_without_a_majority_get_a_fourth_that_breaks_the_tie(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looks = _readings(
        monkeypatch,
        first="SUMME 19.14\n15.04.20",
        smaller="SUMME 19.46\n15.04.20",
        one_column="SUMME 19.16\n15.04.20",
        adaptive="SUMME 19.46\n16.04.20",
    )

    receipt = tesseract.read_receipt(b"")

    assert receipt.total == Decimal("19.46")  # the adaptive threshold's reading breaks the tie
    assert receipt.date == "2020-04-15"  # decided by three already
    assert looks == ["smaller", "one column", "adaptive"]


def test_no_fourth_reading_when_nothing_is_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    # The total by two readings; the date read by none (a receipt may print none): decided.
    looks = _readings(monkeypatch, first="SUMME 9.99", smaller="SUMME 9.99", one_column="SUMME 1.00")

    receipt = tesseract.read_receipt(b"")

    assert receipt.total == Decimal("9.99") and receipt.date is None
    assert looks == ["smaller", "one column"]


def test_a_missing_field_is_filled_from_the_next_reading_that_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    looks = _readings(
        monkeypatch,
        first="SUPERMARKT MUSTER\n15.01.2024 18:30",
        smaller="SUMME 9.99",
        one_column="SUMME 1.00",
    )

    receipt = tesseract.read_receipt(b"")

    assert receipt.total == Decimal("9.99")  # from the smaller reading, the first to have one
    assert receipt.date == "2024-01-15" and receipt.time == "18:30"
    assert looks == ["smaller", "one column", "adaptive"]  # 9.99 and 1.00: undecided, and no tie breaker


def test_two_readings_that_agree_on_total_and_date_need_no_third(monkeypatch: pytest.MonkeyPatch) -> None:
    looks = _readings(monkeypatch, first="\n".join(LATIN), smaller="\n".join(LATIN), one_column="SUMME 1.00")

    receipt = tesseract.read_receipt(b"")

    assert (receipt.total, receipt.date) == (Decimal("12.56"), "2024-01-15")
    assert looks == ["smaller"]


def test_a_cyrillic_page_read_in_both_layouts_gets_no_further_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looks = _readings(monkeypatch, "ООО РОМАШКА", "ИТОГО 1.00", "ИТОГО 1.00", tesseract.CYRILLIC_LANGUAGES)

    assert tesseract.read_receipt(b"").total is None
    assert looks == []


def _line_box(row: int) -> pp_ocr.Box:
    """The box of _printed's line ``row``, as tight on the ink as Tesseract's."""
    return 28, 30 + 48 * row + 4, 500, 30 + 48 * row + 30


def test_pp_ocr_reads_the_lines_it_is_given() -> None:
    page = _printed(["SUMME EUR          12.56", "Datum 08.10.16 14:16 Uhr", ""])

    date_line, blank = pp_ocr.read_lines(page, [_line_box(1), _line_box(2)])

    assert "08.10.16" in date_line and "14:16" in date_line
    assert blank == ""


def test_the_date_line_pp_ocr_reads_outvotes_tesseract_readings_that_agree_on_a_misread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small print in a photo: every Tesseract reading takes the 8 of "08.10.16" for a 5.
    printed = [*LATIN[:-1], "Datum 08.10.16 14:16 Uhr"]
    misread = "\n".join([*LATIN[:-1], "Datum 05.10.16 14:16 Uhr"])
    lines = [(text, _line_box(row)) for row, text in enumerate(misread.splitlines())]
    page = tesseract._Page(_printed(printed), tesseract.FIRST_LANGUAGES, misread, lines=lines)
    monkeypatch.setattr(tesseract, "_read_page", lambda image: page)
    monkeypatch.setattr(tesseract, "_smaller", lambda p: misread)
    reread: list[int] = []
    read_lines = pp_ocr.read_lines

    def counted(image: Image.Image, boxes: list[pp_ocr.Box]) -> list[str]:
        reread.append(len(boxes))
        return read_lines(image, boxes)

    monkeypatch.setattr(pp_ocr, "read_lines", counted)

    receipt = tesseract.read_receipt(b"")

    assert receipt.date == "2016-10-08"
    assert receipt.total == Decimal("12.56")
    assert reread == [1], "only the date line is read again"


def test_second_looks_read_the_page_smaller_and_as_one_column() -> None:
    page = tesseract._Page(_printed(LATIN), tesseract.FIRST_LANGUAGES, "")

    otsu = tesseract._read(page.image, page.languages).text

    assert "SUMME" in tesseract._smaller(page) and "12.56" in tesseract._smaller(page)
    assert "SUMME" in tesseract._one_column(page)
    assert "SUMME" in tesseract._adaptive_threshold(page)
    # The threshold is set for each reading: after the adaptive one, Otsu's reads as before.
    assert tesseract._read(page.image, page.languages).text == otsu


def test_latin_page_keeps_its_latin_letters() -> None:
    text = tesseract.ocr_text(_png(_printed(LATIN)))
    assert tesseract.cyrillic_share(text) < tesseract.CYRILLIC_MAYBE
    assert "SUPERMARKT" in text


def test_reads_in_process_without_starting_a_program(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError("the engine started a subprocess")

    monkeypatch.setattr(subprocess.Popen, "__init__", no_subprocess)
    assert "SUMME" in tesseract.ocr_text(_png(_printed(LATIN)))
    assert "pytesseract" not in sys.modules


@pytest.mark.skipif(not DEV.is_dir(), reason=f"the shared dev scans are not at {DEV}")
@pytest.mark.parametrize("name", SCANS)
def test_reads_total_and_date_named_in_the_file(name: str) -> None:
    merchant, ddmmyyyy, _items, cents = Path(name).stem.split("_")
    image = imaging.prepare((DEV / name).read_bytes(), reader="tesseract", **LIMITS).jpeg

    receipt = tesseract.read_receipt(image)

    assert receipt.total == Decimal(int(cents)) / 100
    assert receipt.date == f"{ddmmyyyy[4:]}-{ddmmyyyy[2:4]}-{ddmmyyyy[:2]}"
    assert receipt.merchant.name is not None and merchant in receipt.merchant.name.lower()
    assert receipt.currency == "EUR"
    assert receipt.items, "a clean scan has readable item lines"


@pytest.mark.skipif(not DEV.is_dir(), reason=f"the shared dev scans are not at {DEV}")
def test_a_text_line_with_no_word_read_is_left_out_not_an_error() -> None:
    # A phone photo read as it is (no preparation, as make eval-preprocess reads it): Tesseract
    # finds text lines on the wooden table and reads no word on them; tesserocr raises "No text
    # returned" when asked for such a line's text.
    name = "ikea_08102016_12_13439.jpg"
    photo = phone_photos.phone_photo((DEV / name).read_bytes(), zlib.crc32(name.encode()), "normal")
    gray = Image.fromarray(cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE))

    reading = tesseract._read(gray, tesseract.FIRST_LANGUAGES)

    assert all(text for text, _box in reading.lines)
    assert isinstance(tesseract.read_receipt(_png(gray)), Receipt)
