"""Measure the offline engine on a folder of receipts whose file names carry the ground truth.

File names: MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg (e.g. lidl_07042020_06_01569.jpg). Each
image goes through the pipeline's own preparation for the Tesseract reader, then the offline engine.
Prints a per-receipt table, per-field accuracy, and as its last line:

    eval-extract n=<count> total=<0..1> date=<0..1> merchant=<0..1> seconds_median=<s>

Usage: python -m tools.eval_extract [--dir FOLDER]
(RECEIPTS_DIR in the environment sets the folder; default ../shared/receipts/dev/).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from multiprocessing import Pool
from pathlib import Path

from receiptbot.reading.ocr import tesseract
from receiptbot.reading.ocr.parser import fold_name
from tools.eval import cpu_seconds, prepare_offline, tesseract_missing, truth_from_name

REPO = Path(__file__).resolve().parent.parent

TABLE = "{:34} {:>8} {:>8} {:2}  {:10} {:10} {:2}  {:10} {:24} {:2} {:>6} {:>5}"
DEFAULT_DIR = REPO.parent / "shared" / "receipts" / "dev"


@dataclass
class Row:
    file: str
    merchant: str
    date: str
    total: Decimal
    got_merchant: str | None = None
    got_date: str | None = None
    got_total: Decimal | None = None
    seconds: float = 0.0  # wall clock: preparation, OCR and parsing
    cpu_seconds: float = 0.0  # CPU of this worker and its tesseract: steady on a busy machine
    error: str = ""

    @property
    def total_ok(self) -> bool:
        return self.got_total == self.total

    @property
    def date_ok(self) -> bool:
        return self.got_date == self.date

    @property
    def merchant_ok(self) -> bool:
        expected = fold_name(self.merchant).replace(" ", "")
        return expected in fold_name(self.got_merchant or "").replace(" ", "")


def truth(path: Path) -> Row:
    """Ground truth from MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg."""
    known = truth_from_name(path.name)
    if known is None:
        raise ValueError(f"{path.name} is not named MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg")
    return Row(path.name, known.merchant, known.date, known.total)


def evaluate(path: Path) -> Row:
    row = truth(path)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    try:
        image = prepare_offline(path.read_bytes()).jpeg  # as extract gets it
        receipt = tesseract.read_receipt(image)  # the engine chooses its languages
    except Exception as exc:  # one bad receipt is a miss in the table, not the end of the run
        row.error = f"{type(exc).__name__}: {exc}"[:60]
    else:
        row.got_merchant, row.got_date, row.got_total = receipt.merchant.name, receipt.date, receipt.total
    row.seconds, row.cpu_seconds = time.perf_counter() - started, cpu_seconds() - cpu_started
    return row


def mark(ok: bool) -> str:
    return "ok" if ok else "XX"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("RECEIPTS_DIR") or DEFAULT_DIR))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    files = sorted(args.dir.glob("*.jpg"))
    if not files:
        print(f"eval-extract: skipped, no *.jpg receipts in {args.dir} (set RECEIPTS_DIR to such a folder)")
        return 0
    if tesseract_missing("eval-extract"):
        return 1
    print(f"{len(files)} receipts in {args.dir}; imaging.prepare, the offline engine")

    with Pool(args.workers) as pool:
        rows = pool.map(evaluate, files, chunksize=1)

    print(
        TABLE.format("file", "total", "got", "", "date", "got", "", "merchant", "got", "", "wall s", "cpu s")
    )
    for r in rows:
        print(
            TABLE.format(
                r.file, str(r.total), str(r.got_total), mark(r.total_ok),
                r.date, str(r.got_date), mark(r.date_ok),
                r.merchant, (r.error or str(r.got_merchant))[:24], mark(r.merchant_ok),
                f"{r.seconds:.1f}", f"{r.cpu_seconds:.1f}",
            )
        )  # fmt: skip
    n = len(rows)
    total = sum(r.total_ok for r in rows) / n
    day = sum(r.date_ok for r in rows) / n
    merchant = sum(r.merchant_ok for r in rows) / n
    seconds = statistics.median(r.seconds for r in rows)
    cpu = statistics.median(r.cpu_seconds for r in rows)
    print(f"accuracy: total {total:.0%}, date {day:.0%}, merchant {merchant:.0%}")
    print(f"median per receipt: {seconds:.1f} s wall, {cpu:.1f} s CPU ({args.workers} workers)")
    fields = f"total={total:.2f} date={day:.2f} merchant={merchant:.2f}"
    print(f"eval-extract n={n} {fields} seconds_median={seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
