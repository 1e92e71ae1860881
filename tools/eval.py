"""Reading accuracy on every receipt set: the pipeline's preparation and QR, the offline engine, validation.

Each image goes the way the pipeline takes it with the offline engine: the raw bytes through
preprocess's preparation for the Tesseract reader (which also reads the fiscal QR code), the
engine as extract calls it, then extract's validation with that QR code (which wins over the
text for the total and the date). A set is a folder with a truth.tsv (file, merchant, date_iso,
total, currency) or with images named MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg (German: EUR).
Prints what was read per image and, last for each set:

    eval set=<name> n=<n> total=<0..1> date=<0..1> merchant=<0..1> currency=<0..1> qr_found=<n>

A field's fraction counts only the images whose truth for that field is known. The merchant
matches loosely (see merchant_matches); docs/eval.md has the rules and the latest figures.

Usage: python -m tools.eval [--dir FOLDER] [--out FILE.tsv] [--workers N] [--write-docs]
(RECEIPTS_DIR sets the folder: a set, or a folder of sets, default ../shared/receipts/; EVAL_OUT the TSV.)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import multiprocessing
import os
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import cv2

from receiptbot.config import Settings
from receiptbot.reading import imaging, validation
from receiptbot.reading.model import Receipt
from receiptbot.reading.ocr import tesseract
from receiptbot.reading.ocr.parser import fold_name
from tools.bench import replace_between

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO.parent / "shared" / "receipts"
DEFAULTS = Settings.model_construct()  # the deployed settings: the upload limits preprocess passes
READER = "tesseract"  # preprocess prepares for the offline engine when Gemini is off
TRUTH_FILE = "truth.tsv"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
DEV_NAME = re.compile(r"^([^_.]+)_(\d{2})(\d{2})(\d{4})_\d+_(\d+)\.", re.I)  # "x.normal.jpg" too
DEV_CURRENCY = "EUR"  # the named sets are German shop receipts
FIELDS = ("total", "date", "merchant", "currency")
CENT = Decimal("0.01")
MIN_CONTAINED = 3  # letters: a shorter name ("m" of "(M)") would be inside almost any name
MIN_SHARED_TOKEN = 4
# Words that say what kind of company it is, not which: they never make two names the same.
LEGAL_FORMS = frozenset(
    {"ооо", "оао", "зао", "пао", "ао", "нао", "ип"}  # Russian
    | {"gmbh", "mbh", "co", "kg", "ag", "ohg", "ug"}  # German
    | {"sdn", "bhd", "ltd", "limited", "plc", "llc", "inc", "corp"}  # English, Malaysian (S/B: letters)
)
_PARENTHESES = re.compile(r"\(([^)]*)\)")
_NOT_A_LETTER = re.compile(r"[\W_]+")
DOCS = REPO / "docs" / "eval.md"
README = REPO / "README.md"
SETS_BEGIN = "<!-- eval-sets:begin (written by tools/eval.py --write-docs) -->"
SETS_END = "<!-- eval-sets:end -->"
IMAGES_BEGIN = "<!-- eval-images:begin (written by tools/eval.py --write-docs) -->"
IMAGES_END = "<!-- eval-images:end -->"
READ_CPU_TARGET = 2.5  # s of CPU per receipt for the offline reading, median on one core (issue 12)
DOC_READ_CHARS = 24  # enough of a misread name to judge it, not a copy of the receipt's text
ROW = "{:26} {:>9} {:>9} {:2} {:10} {:10} {:2} {:22} {:22} {:2} {:3} {:3} {:2} {:2} {:>6} {:>6}  {}"


@dataclass(frozen=True)
class Truth:
    """What a receipt says; None where it is not known."""

    file: str
    merchant: str | None
    date: str | None  # YYYY-MM-DD
    total: Decimal | None
    currency: str | None


@dataclass
class Reading:
    """What the pipeline read on one image, and what it cost."""

    set: str
    truth: Truth
    total: Decimal | None = None
    date: str | None = None
    merchant: str | None = None
    currency: str | None = None
    qr: bool = False
    note: str = ""  # why nothing was read: the preparation's rejection, or the error
    prepare_cpu: float = 0.0
    read_cpu: float = 0.0  # OCR, parsing and validation: the offline reading's cost

    def correct(self, field: str) -> bool | None:
        """Whether ``field`` was read right; None when the truth does not say."""
        expected = getattr(self.truth, field)
        if expected is None:
            return None
        got = getattr(self, field)
        if field == "total":
            return totals_match(got, expected)
        if field == "merchant":
            return merchant_matches(got, expected)
        if field == "currency":
            return got is not None and got.upper() == expected.upper()
        return got == expected


def truth_from_name(name: str) -> Truth | None:
    """Ground truth from MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg (lidl_07042020_06_01569.jpg)."""
    match = DEV_NAME.match(name)
    if match is None:
        return None
    merchant, day, month, year, cents = match.groups()
    return Truth(name, merchant, f"{year}-{month}-{day}", Decimal(int(cents)) / 100, DEV_CURRENCY)


def read_truth_tsv(path: Path) -> list[Truth]:
    """truth.tsv: file, merchant, date_iso, total, currency; an empty cell is unknown."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        Truth(
            row["file"],
            row["merchant"] or None,
            row["date_iso"] or None,
            Decimal(row["total"]) if row["total"] else None,
            row["currency"] or None,
        )
        for row in rows
    ]


def set_truth(folder: Path) -> list[Truth]:
    """The receipts of a set folder with their truth; empty when the folder is no set."""
    if (folder / TRUTH_FILE).is_file():
        return read_truth_tsv(folder / TRUTH_FILE)
    named = (truth_from_name(p.name) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES)
    return [t for t in named if t is not None]


def find_sets(root: Path) -> list[tuple[str, Path, list[Truth]]]:
    """The folder itself when it is a set, else each of its subfolders that is one: (name, folder, truth)."""
    if own := set_truth(root):
        return [(root.name, root, own)]
    folders = sorted(d for d in root.iterdir() if d.is_dir())
    return [(d.name, d, truth) for d in folders if (truth := set_truth(d))]


# --- scoring -------------------------------------------------------------------------------------


def totals_match(got: Decimal | None, expected: Decimal) -> bool:
    """The same amount to the cent (19.9 and 19.90 are the same)."""
    return got is not None and got.quantize(CENT) == expected.quantize(CENT)


def name_tokens(name: str) -> list[str]:
    """A name's words for comparing: Unicode-normalised, case and umlauts folded, ё as е, no quotes
    or punctuation, no legal forms (ООО, АО, GmbH, SDN BHD, Ltd...)."""
    words = _NOT_A_LETTER.sub(" ", fold_name(unicodedata.normalize("NFKC", name))).split()
    return [w for w in words if w not in LEGAL_FORMS]


def merchant_matches(got: str | None, expected: str) -> bool:
    """Loose, since the truth is often the legal entity: either name contains the other, or they
    share a word of 4 letters or more; the brand in the truth's parentheses counts as a name."""
    if not got:
        return False
    read = name_tokens(got)
    for name in [expected, *_PARENTHESES.findall(expected)]:
        wanted = name_tokens(name)
        a, b = "".join(read), "".join(wanted)
        shorter, longer = sorted((a, b), key=len)
        if len(shorter) >= MIN_CONTAINED and shorter in longer:
            return True
        if {w for w in read if len(w) >= MIN_SHARED_TOKEN} & set(wanted):
            return True
    return False


# --- reading -------------------------------------------------------------------------------------


def prepare_offline(data: bytes) -> imaging.PreparedImage:
    """preprocess's preparation for the offline engine, with the deployed upload limits."""
    return imaging.prepare(
        data, reader=READER, max_bytes=DEFAULTS.max_upload_bytes, max_pixels=DEFAULTS.max_pixels
    )


def cpu_seconds() -> float:
    """CPU of this process: the engine reads in-process (tesserocr)."""
    return time.process_time()


def tesseract_missing(tool: str) -> bool:
    """True, and says what to run, when the offline engine's traineddata is not installed."""
    try:
        tesseract.tessdata_dir()
    except RuntimeError:
        print(f"{tool}: Tesseract's traineddata is not installed; run `make system-deps` first")
        return True
    return False


def read_image(job: tuple[str, Path, Truth]) -> Reading:
    """One image as the pipeline reads it; a rejection or an error is a reading of nothing."""
    set_name, folder, truth = job
    reading = Reading(set_name, truth)
    started = cpu_seconds()
    try:
        prepared = prepare_offline((folder / truth.file).read_bytes())
    except imaging.ImageRejected as rejected:
        reading.note = f"rejected: {rejected.reason}"
        return reading
    except Exception as exc:  # one bad image is a miss in the table, not the end of the run
        reading.note = f"{type(exc).__name__}: {exc}"[:60]
        return reading
    finally:
        reading.prepare_cpu = cpu_seconds() - started
    reading.qr = prepared.fiscal_qr is not None
    started = cpu_seconds()
    try:
        # As extract reads it: the offline engine, or the QR code alone when only it was readable.
        receipt = tesseract.read_receipt(prepared.jpeg) if prepared.jpeg is not None else Receipt()
        receipt, _warnings = validation.check(receipt, prepared.fiscal_qr)
    except Exception as exc:
        reading.note = f"{type(exc).__name__}: {exc}"[:60]
    else:
        reading.total, reading.date, reading.currency = receipt.total, receipt.date, receipt.currency
        reading.merchant = receipt.merchant.name
    reading.read_cpu = cpu_seconds() - started
    return reading


def pin_to_one_core(cores: multiprocessing.Queue) -> None:
    """Each worker (and its tesseract) on a core of its own, one thread: the CPU seconds of one core."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cores.get()})
    cv2.setNumThreads(1)


# --- output --------------------------------------------------------------------------------------


def tally(readings: list[Reading], field: str) -> tuple[int, int]:
    """(right, known): the images read right, of those whose truth for the field is known."""
    verdicts = [r.correct(field) for r in readings]
    known = [v for v in verdicts if v is not None]
    return sum(known), len(known)


def summary_line(name: str, readings: list[Reading]) -> str:
    qr_found = sum(r.qr for r in readings)
    return f"eval set={name} n={len(readings)} {field_shares(readings)} qr_found={qr_found}"


def field_shares(readings: list[Reading]) -> str:
    """``total=0.96 date=0.88 ...``: each field's share read right of the images whose truth has it."""
    shares = []
    for field in FIELDS:
        right, known = tally(readings, field)
        shares.append(f"{field}={right / known:.2f}" if known else f"{field}=-")
    return " ".join(shares)


def text(value: object) -> str:
    """A read value for a table or the TSV: empty when unknown, totals as 12.34, one line."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.quantize(CENT)}"
    return " ".join(str(value).split())


def mark(verdict: bool | None) -> str:
    return "-" if verdict is None else "ok" if verdict else "XX"


def image_row(r: Reading) -> str:
    t = r.truth
    cells: list[str] = [t.file[:26]]
    for field, width in zip(FIELDS, (9, 10, 22, 3), strict=True):
        cells += [text(getattr(t, field))[:width], text(getattr(r, field))[:width], mark(r.correct(field))]
    cells += ["qr" if r.qr else "", f"{r.prepare_cpu:.2f}", f"{r.read_cpu:.2f}", r.note]
    return ROW.format(*cells)


def header_row() -> str:
    names = ["file", "total", "read", "", "date", "read", "", "merchant", "read", "", "cur", "read", ""]
    return ROW.format(*names, "qr", "prep s", "read s", "")


def median_cpu(readings: list[Reading]) -> tuple[float, float]:
    """Median CPU seconds of preparation and of reading, over the images that were read."""
    read = [r for r in readings if not r.note] or readings  # a rejected image was not read at all
    return statistics.median(r.prepare_cpu for r in readings), statistics.median(r.read_cpu for r in read)


def cpu_line(readings: list[Reading]) -> str:
    """The offline reading's median CPU per receipt over every set, against the issue's target."""
    _, read_cpu = median_cpu(readings)
    verdict = "within" if read_cpu <= READ_CPU_TARGET else "OVER"
    return (
        f"eval cpu reading_median={read_cpu:.2f}s n={len(readings)} (one core)"
        f" target<={READ_CPU_TARGET}s: {verdict}"
    )


def write_tsv(out: TextIO, readings: list[Reading], with_set: bool) -> None:
    """What was read per image: total 12.34, date YYYY-MM-DD, qr 1/0, empty when unknown."""
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow((["set"] if with_set else []) + ["file", "total", "date", "merchant", "currency", "qr"])
    for r in readings:
        cells = [r.truth.file, text(r.total), text(r.date), text(r.merchant), text(r.currency), int(r.qr)]
        writer.writerow(([r.set] if with_set else []) + cells)


def sets_markdown(results: dict[str, list[Reading]]) -> str:
    """The per-set table: right / known per field, fiscal QR codes found, median CPU of the reading."""
    rows = []
    for name, readings in results.items():
        cells = []
        for field in FIELDS:
            right, known = tally(readings, field)
            cells.append(f"{100 * right / known:.0f} % ({right} / {known})" if known else "–")
        _, read_cpu = median_cpu(readings)
        qr = sum(r.qr for r in readings)
        rows.append(f"| `{name}/` | {len(readings)} | {' | '.join(cells)} | {qr} | {read_cpu:.1f} s |")
    lines = [summary_line(name, readings) for name, readings in results.items()]
    header = "| set | images | total | date | merchant | currency | fiscal QR found | CPU s per reading |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    return "\n".join([SETS_BEGIN, header, rule, *rows, "", "```", *lines, "```", SETS_END])


def images_markdown(results: dict[str, list[Reading]]) -> str:
    """Per image: truth and what was read, ✗ on a miss."""
    parts = [IMAGES_BEGIN]
    for name, readings in results.items():
        parts.append(f"\n### `{name}/`\n")
        parts.append("| file | total | read | date | read | merchant | read | currency | read | QR | note |")
        parts.append("|---|---:|---:|---|---|---|---|---|---|---|---|")
        for r in readings:
            cells = [r.truth.file]
            for field in FIELDS:
                miss = " ✗" if r.correct(field) is False else ""
                read = text(getattr(r, field))[:DOC_READ_CHARS].replace("|", "/")
                cells += [text(getattr(r.truth, field)).replace("|", "/"), f"{read}{miss}"]
            cells += ["yes" if r.qr else "", r.note]
            parts.append(f"| {' | '.join(cells)} |")
    parts.append(IMAGES_END)
    return "\n".join(parts)


def write_docs(results: dict[str, list[Reading]]) -> None:
    """The generated parts of docs/eval.md (sets and images) and the README's (sets)."""
    sets = sets_markdown(results)
    for page in (DOCS, README):
        replace_between(page, SETS_BEGIN, SETS_END, sets)
    replace_between(DOCS, IMAGES_BEGIN, IMAGES_END, images_markdown(results))


def evaluate(sets: list[tuple[str, Path, list[Truth]]], workers: int) -> Iterable[list[Reading]]:
    """Each set's readings, set after set as they finish; the images run on ``workers`` cores."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    # spawn, not fork: a forked child of a process with threads running (a test session) can hang.
    spawn = multiprocessing.get_context("spawn")
    queue = spawn.Queue()
    workers = max(1, min(workers, len(cores)))
    for core in cores[:workers]:
        queue.put(core)
    jobs = [(name, folder, truth) for name, folder, truths in sets for truth in truths]
    with spawn.Pool(workers, initializer=pin_to_one_core, initargs=(queue,)) as pool:
        for _name, readings in itertools.groupby(pool.imap(read_image, jobs), key=lambda r: r.set):
            yield list(readings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("RECEIPTS_DIR") or DEFAULT_ROOT))
    parser.add_argument("--out", type=Path, default=os.environ.get("EVAL_OUT") or None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true", help="rewrite the tables of the docs")
    args = parser.parse_args(argv)

    if not args.dir.is_dir() or not (sets := find_sets(args.dir)):
        print(f"eval: skipped, no receipt set in {args.dir} (truth.tsv, or dev-style names)")
        return 0
    if tesseract_missing("eval"):
        return 1
    print(f"{sum(len(t) for _, _, t in sets)} images in {len(sets)} set(s) of {args.dir}")
    print(f"imaging.prepare(reader={READER!r}) -> tesseract.read_receipt -> validation.check, a core each")

    results: dict[str, list[Reading]] = {}
    for readings in evaluate(sets, args.workers):
        name = readings[0].set
        results[name] = readings
        print(f"\n== {name}: {len(readings)} images")
        print(header_row())
        for r in readings:
            print(image_row(r))
        counts = ", ".join("{} {}/{}".format(f, *tally(readings, f)) for f in FIELDS)
        prepare_cpu, read_cpu = median_cpu(readings)
        print(f"right/known: {counts}; rejected or failed: {sum(bool(r.note) for r in readings)}")
        print(f"median CPU per image (one core): preparation {prepare_cpu:.2f} s, reading {read_cpu:.2f} s")
        sys.stdout.flush()

    print()
    if args.out:
        with args.out.open("w", newline="", encoding="utf-8") as out:
            write_tsv(out, [r for readings in results.values() for r in readings], with_set=len(results) > 1)
        print(f"eval: wrote {args.out}")
    if args.write_docs:
        write_docs(results)
        print(f"eval: wrote the tables in {DOCS.relative_to(REPO)} and {README.relative_to(REPO)}")
    print(cpu_line([r for readings in results.values() for r in readings]))
    for name, readings in results.items():
        print(summary_line(name, readings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
