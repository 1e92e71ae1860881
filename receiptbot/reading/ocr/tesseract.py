"""The offline engine: Tesseract OCR in-process (tesserocr) plus the text parser.

Used when no Gemini credentials are set, and as the fallback when Gemini fails. Settings chosen by
measurement on every receipt set (see docs/eval.md):

- Page segmentation mode 6 (one uniform block of text) keeps a receipt's name and amount on one line.
- The first reading is with ``deu+eng+rus``: it reads Latin receipts (German, English, Malaysian)
  as well as any single Latin model, and shows whether the page is Cyrillic. A Cyrillic page is
  read again with ``rus`` alone, which reads Russian without the Latin letters the mixed model
  puts into Russian words.
- A Cyrillic page is read with ``rus`` twice, with page segmentation 3 (automatic layout) and 6,
  and the parser gets both texts, the psm 3 one first (its header names the shop): the two
  layouts lose different lines of a creased or photographed Russian receipt, and the parser's
  votes add up over both. Measured on ``ru/``: psm 6 alone 9 / 12 / 9 / 14 (total, date,
  merchant, currency of 15), psm 3 alone 11 / 11 / 11 / 13, both 11 / 12 / 11 / 14. When the
  psm 3 reading alone already gives a total and a date, psm 6 is not read (on ``ru/`` 9 of 15
  pages, none of which read a field better with both): the CPU of a reading that adds nothing.
- A page read in one layout (a Latin page) is read three times and each of the total and the date
  is voted on: as it is, smaller (x0.7), and as one column of text (psm 4). Tesseract misreads
  different digits at another scale and layout ("25.09,2016" once, "26.09.2016" twice): the value
  the readings' lines support most wins (the parser's votes for it, summed over the readings, so
  two readings that agree are ahead unless a third's lines outweigh them: a total line and its
  card slip against two readings of an item's amount); on a tie the value more readings found,
  then the earlier reading's. When the first two readings agree on both, the third is not made.
  When the three leave the total or the date undecided (read, but no value twice), a fourth
  reading binarised another way (Leptonica's adaptive threshold instead of Otsu's global one;
  alone it reads worse on every set) breaks the tie (18 of the sets' 102 Latin pages). A
  Cyrillic page was read in two layouts already (the smaller and psm 4 readings found nothing
  more on ``ru/``). Measured on every set: see docs/eval.md (the fourth to sixth rounds).
- A Latin page's date has a second recogniser: the lines of the first reading that hold a date or
  a time are read again by PP-OCR's (``pp_ocr``), and the dates it reads join the vote, each
  vote counting ``SECOND_ENGINE_WEIGHT`` times. Tesseract misreads some digits of small print the
  same way in every reading ("05.10.16" for "08.10.16" in a phone photo), so its readings agree on
  the wrong date; PP-OCR errs elsewhere. A Cyrillic page is not voted on, and PP-OCR's model
  reads no Cyrillic (docs/eval.md, the eighth round).
- Upside down: a page read with little confidence is also read turned by 180 degrees, and the
  more confident reading wins (upright pages score 40-95, upside-down ones 25-58 on the sets).
  A page read as Cyrillic words (share ``CYRILLIC_SURE`` or more) is upright: the mixed model is
  unsure of Russian print (8 of 15 ``ru/`` pages under 65), but a page upside down reads as a
  mix of both scripts' letters (``ru/`` turned: Cyrillic share 0.12-0.37; upright 0.64-0.89,
  besides a Latin-looking photo at 0.27 and a page of noise), so its turned reading is not made.
  Sideways pages are turned by preprocess's preparation. Tesseract's own orientation and script
  detection (OSD) was measured and dropped: on the prepared receipts it called a third of the
  upright ones upside down, and Latin receipts Arabic or Greek.
"""

from __future__ import annotations

import glob
import io
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

# Tesseract's OpenMP threads fight each other on a small instance that runs several receipts at
# once; one thread each is faster overall. Read by libtesseract when it starts: set before import.
os.environ["OMP_THREAD_LIMIT"] = "1"

import tesserocr
from PIL import Image

from receiptbot.reading.model import Receipt
from receiptbot.reading.ocr import pp_ocr
from receiptbot.reading.ocr.parser import ParsedReading, date_votes, might_hold_date, parse_reading
from receiptbot.reading.ocr.pp_ocr import Box

FIRST_LANGUAGES = "deu+eng+rus"
CYRILLIC_LANGUAGES = "rus"
LANGUAGES = ("deu", "eng", "rus")  # the traineddata files the engine needs (make build bundles them)
# Share of Cyrillic among the letters of the first reading's words above which the page is read
# again with rus: Latin receipts stay under 0.25 (garbage words), Russian ones are 0.6-0.85; in
# between, the more confident of the two readings wins.
CYRILLIC_SURE = 0.5
CYRILLIC_MAYBE = 0.1
UPRIGHT_CONFIDENCE = 65  # mean word confidence (0-100) under which the page may be upside down
PSM = tesserocr.PSM.SINGLE_BLOCK  # 6: a single uniform block of text
CYRILLIC_PSMS = (tesserocr.PSM.AUTO, PSM)  # 3 and 6: both readings of a Cyrillic page, joined
# The other two readings of a page read in one layout: smaller, and as one column.
SECOND_LOOK_SCALE = 0.7
SECOND_LOOK_PSM = tesserocr.PSM.SINGLE_COLUMN  # 4
# How many times a vote of PP-OCR's date-line reading counts against one of Tesseract's. Measured
# 1-4 on every set (docs/eval.md, the eighth round): at 1 and 2 two Tesseract readings agreeing on
# a misread still win; 3 gains seven photo dates over 2 on three seeds and loses one; 4 as 3.
SECOND_ENGINE_WEIGHT = 3
# Tesseract's thresholding_method: Otsu's global threshold (its default), Leptonica's adaptive one
# (a fourth reading when three leave a field undecided).
OTSU, ADAPTIVE_THRESHOLD = "0", "1"
# The tessdata folder make build puts beside the receiptbot package; Debian's install (any version).
BUNDLED_TESSDATA = Path(__file__).resolve().parents[3] / "tessdata"
DEBIAN_TESSDATA = "/usr/share/tesseract-ocr/*/tessdata"

_WORD = re.compile(r"[^\W\d_]{3,}")
T = TypeVar("T")


@dataclass
class _Text:
    """What one reading gives: the text, its mean word confidence (0-100), and each text line of
    it with its box on the page."""

    text: str
    confidence: int
    lines: list[tuple[str, Box]]


@dataclass
class _Page:
    """The upright page, the model of its script, the text read on it (and its lines' boxes),
    and that text parsed when reading the page needed it already."""

    image: Image.Image
    languages: str
    text: str
    reading: ParsedReading | None = None
    lines: list[tuple[str, Box]] = field(default_factory=list)


def read_receipt(image: bytes) -> Receipt:
    """Read a preprocessed (grayscale, text-sized) receipt image into the receipt model."""
    page = _read_page(image)
    first = page.reading or parse_reading(page.text)
    if page.languages != FIRST_LANGUAGES:  # a Cyrillic page: read in two layouts already
        return first.receipt
    readings = [first, parse_reading(_smaller(page))]
    if not _agree(first.receipt, readings[1].receipt):
        readings.append(parse_reading(_one_column(page)))
        if _undecided([r.receipt.total for r in readings]) or _undecided([r.receipt.date for r in readings]):
            readings.append(parse_reading(_adaptive_threshold(page)))
    days = [r.receipt.date for r in readings]
    day_support = sum((r.date_votes for r in readings), Counter())
    second_engine = _date_lines_reread(page, first.receipt.currency)
    if second_engine:
        days.append(max(second_engine, key=second_engine.__getitem__))
        day_support.update({day: votes * SECOND_ENGINE_WEIGHT for day, votes in second_engine.items()})
    day = _vote(days, day_support)
    total = _vote([r.receipt.total for r in readings], sum((r.total_votes for r in readings), Counter()))
    receipt = first.receipt
    receipt.time = next((r.receipt.time for r in readings if r.receipt.date == day), None)
    receipt.total, receipt.date = total, day
    return receipt


def _date_lines_reread(page: _Page, currency: str | None) -> Counter[str]:
    """The dates PP-OCR reads on the lines of the first reading that hold a date or a time."""
    boxes = [box for text, box in page.lines if might_hold_date(text)]
    if not boxes:
        return Counter()
    return date_votes("\n".join(pp_ocr.read_lines(page.image, boxes)), currency)


def _agree(first: Receipt, second: Receipt) -> bool:
    """Both readings found the total and the date, the same ones."""
    return _has_total_and_date(first) and (first.total, first.date) == (second.total, second.date)


def _undecided(values: list[object]) -> bool:
    """Read at least once, but no value read twice."""
    found = [value for value in values if value is not None]
    return bool(found) and not any(found.count(value) >= 2 for value in found)


def _vote(values: list[T], support: Counter[T]) -> T | None:
    """Of the values the readings found, the one their lines support most (the parser's votes
    summed over the readings, so a value two readings agree on is ahead unless the lines of a
    third outweigh them); on a tie the one more readings found, then the earlier reading's
    (readings in order of trust)."""
    found = [value for value in values if value is not None]
    return max(found, key=lambda value: (support[value], found.count(value))) if found else None


def ocr_text(image: bytes) -> str:
    """The text Tesseract reads on the image, line by line, upright and in the page's script."""
    return _read_page(image).text


def _read_page(image: bytes) -> _Page:
    with Image.open(io.BytesIO(image)) as img:
        img.load()
    first = _read(img, FIRST_LANGUAGES)
    cyrillic = cyrillic_share(first.text)
    # A page read as Cyrillic words is upright: upside down, a page reads as a mix of both scripts.
    if first.confidence < UPRIGHT_CONFIDENCE and cyrillic < CYRILLIC_SURE:
        turned = img.rotate(180)
        turned_first = _read(turned, FIRST_LANGUAGES)
        if turned_first.confidence > first.confidence:
            img, first = turned, turned_first
            cyrillic = cyrillic_share(first.text)
    if cyrillic < CYRILLIC_MAYBE:
        return _Page(img, FIRST_LANGUAGES, first.text, lines=first.lines)
    russian = None
    if cyrillic < CYRILLIC_SURE:  # perhaps Cyrillic: the rus reading must be the more confident
        russian = _read(img, CYRILLIC_LANGUAGES)
        if russian.confidence < first.confidence:
            return _Page(img, FIRST_LANGUAGES, first.text, lines=first.lines)
    auto_layout = _read(img, CYRILLIC_LANGUAGES, CYRILLIC_PSMS[0]).text
    parsed = parse_reading(auto_layout)
    if _has_total_and_date(parsed.receipt):
        return _Page(img, CYRILLIC_LANGUAGES, auto_layout, parsed)
    if russian is None:
        russian = _read(img, CYRILLIC_LANGUAGES)
    return _Page(img, CYRILLIC_LANGUAGES, f"{auto_layout}\n{russian.text}")


def _has_total_and_date(receipt: Receipt) -> bool:
    return receipt.total is not None and receipt.date is not None


def _smaller(page: _Page) -> str:
    """The page read again at SECOND_LOOK_SCALE (Pillow's bilinear filter, which averages over the
    shrunk pixel's area; the extract function has no OpenCV)."""
    w, h = page.image.size
    size = (max(1, round(w * SECOND_LOOK_SCALE)), max(1, round(h * SECOND_LOOK_SCALE)))
    return _read(page.image.resize(size, Image.Resampling.BILINEAR), page.languages).text


def _one_column(page: _Page) -> str:
    """The page read again as one column of text of varying sizes (psm 4)."""
    return _read(page.image, page.languages, SECOND_LOOK_PSM).text


def _adaptive_threshold(page: _Page) -> str:
    """The page read again, binarised by Leptonica's adaptive threshold instead of Otsu's."""
    return _read(page.image, page.languages, PSM, ADAPTIVE_THRESHOLD).text


def cyrillic_share(text: str) -> float:
    """The share of Cyrillic letters among the letters of words (3 letters or more) of one script."""
    cyrillic = latin = 0
    for word in _WORD.findall(text):
        if all("\u0400" <= c <= "\u04ff" for c in word):
            cyrillic += len(word)
        elif word.isascii():
            latin += len(word)
    return cyrillic / (cyrillic + latin) if cyrillic + latin else 0.0


def tessdata_dir() -> str:
    """Where the traineddata files are: TESSDATA_PREFIX, the bundle's tessdata/, or Debian's."""
    candidates = [
        os.environ.get("TESSDATA_PREFIX"),
        str(BUNDLED_TESSDATA),
        *sorted(glob.glob(DEBIAN_TESSDATA)),
    ]
    for folder in filter(None, candidates):
        if all(Path(folder, f"{lang}.traineddata").is_file() for lang in LANGUAGES):
            return folder.rstrip("/") + "/"
    raise RuntimeError(f"no tessdata with {', '.join(LANGUAGES)} in {candidates} (make system-deps)")


class _Engine:
    """One Tesseract per language set per process, loaded on first use; a lock each, since a
    Tesseract instance reads one image at a time and extract runs several requests at once. The
    page segmentation mode is set per reading: one instance (one model in memory) for all."""

    def __init__(self, languages: str) -> None:
        self.languages = languages
        self.lock = threading.Lock()
        self.api: tesserocr.PyTessBaseAPI | None = None

    def read(self, image: Image.Image, psm: int, threshold: str) -> _Text:
        with self.lock:
            if self.api is None:
                self.api = tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang=self.languages, psm=psm)
            self.api.SetPageSegMode(psm)
            self.api.SetVariable("thresholding_method", threshold)
            self.api.SetImage(image)
            text = self.api.GetUTF8Text()
            return _Text(text, self.api.MeanTextConf(), _text_lines(self.api))


def _text_lines(api: tesserocr.PyTessBaseAPI) -> list[tuple[str, Box]]:
    """The text lines of the last reading, and their boxes."""
    lines = []
    for line in tesserocr.iterate_level(api.GetIterator(), tesserocr.RIL.TEXTLINE):
        try:
            text = line.GetUTF8Text(tesserocr.RIL.TEXTLINE).strip()
        except RuntimeError:  # a line Tesseract found but read no word on ("No text returned")
            continue
        box = line.BoundingBox(tesserocr.RIL.TEXTLINE)
        if text and box:
            lines.append((text, box))
    return lines


_ENGINES = {languages: _Engine(languages) for languages in (FIRST_LANGUAGES, CYRILLIC_LANGUAGES)}


def _read(image: Image.Image, languages: str, psm: int = PSM, threshold: str = OTSU) -> _Text:
    return _ENGINES[languages].read(image, psm, threshold)
