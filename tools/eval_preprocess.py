"""Does preprocessing bring phone photos back to the reading of the originals? On every receipt set.

For each image of each set (the sets of ``make eval``: a truth.tsv, or dev-style names) a phone
photo is synthesised with a fixed seed (tools/phone_photos.py), plus one of each hard case per set.
The offline engine then reads three inputs per photo: the original ("flat", read the way
``make eval`` reads it: preprocess's preparation and fiscal QR code, the engine, validation), the
photo merely decoded to grayscale (the engine alone), and the photo the way the pipeline reads it
(preparation, QR code, engine, validation). A rejection counts as a miss.

    make eval-preprocess                                      # every set of ../shared/receipts/
    make eval-preprocess RECEIPTS_DIR=../shared/receipts/ru   # one set

Last lines, one per set (a field's fraction counts the images whose truth for it is known; the
ratio is preprocessed / flat, the issue's target is 0.90 or more):

    eval-preprocess set=<name> n=<n> total flat=.. photo=.. preprocessed=.. ratio=.. date flat=.. ...
"""

from __future__ import annotations

import argparse
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from receiptbot.reading import validation
from receiptbot.reading.imaging import ImageRejected
from receiptbot.reading.model import Receipt
from receiptbot.reading.ocr import tesseract
from tools.eval import DEFAULT_ROOT, Reading, Truth, find_sets, prepare_offline, tally, tesseract_missing
from tools.phone_photos import CASES, phone_photo

INPUTS = ("flat", "photo", "preprocessed")
FIELDS = ("total", "date")
HARD_CASES = [case for case in CASES if case != "normal"]
MIN_RATIO = 0.90  # the target: preprocessed photos read at least 90 % of the originals


@dataclass(frozen=True)
class Task:
    set: str
    image: Path
    truth: Truth
    case: str
    seed: int


def grayscale_png(photo: bytes) -> bytes:
    """The photo as the engine would get it without preprocessing: just decoded to grayscale."""
    gray = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE)
    return cv2.imencode(".png", gray)[1].tobytes()


def pipeline_read(data: bytes) -> tuple[Receipt | None, str]:
    """As the pipeline reads an upload with the offline engine; None and the reason when rejected."""
    try:
        prepared = prepare_offline(data)
    except ImageRejected as rejected:
        return None, rejected.reason
    receipt = tesseract.read_receipt(prepared.jpeg) if prepared.jpeg is not None else Receipt()
    return validation.check(receipt, prepared.fiscal_qr)[0], ""


def scored(task: Task, receipt: Receipt | None) -> Reading:
    reading = Reading(task.set, task.truth)
    if receipt is not None:
        reading.total, reading.date = receipt.total, receipt.date
    return reading


def run(task: Task) -> dict[str, object]:
    cv2.setNumThreads(1)
    original = task.image.read_bytes()
    photo = phone_photo(original, task.seed, task.case)
    row: dict[str, object] = {"task": task, "notes": []}
    for name in INPUTS:
        try:
            if name == "photo":
                receipt, note = tesseract.read_receipt(grayscale_png(photo)), ""
            else:
                receipt, note = pipeline_read(original if name == "flat" else photo)
        except Exception as exc:  # one bad image is a miss in the table, not the end of the run
            receipt, note = None, type(exc).__name__
        row[name] = scored(task, receipt)
        if note:
            row["notes"].append(f"{name}: {note}")
    return row


def tasks(sets: list[tuple[str, Path, list[Truth]]], seed: int) -> list[Task]:
    out = []
    for name, folder, truths in sets:
        # The seed of each photo depends on the file name, so adding an image does not reshuffle the rest.
        seeds = [seed + zlib.crc32(t.file.encode()) for t in truths]
        out += [Task(name, folder / t.file, t, "normal", s) for t, s in zip(truths, seeds, strict=True)]
        # One hard case each for a few images spread over the set.
        for i, case in enumerate(HARD_CASES):
            k = (i * len(truths)) // len(HARD_CASES)
            out.append(Task(name, folder / truths[k].file, truths[k], case, seeds[k]))
    return out


def summary_line(name: str, rows: list[dict[str, object]]) -> str:
    parts = [f"eval-preprocess set={name} n={len(rows)}"]
    for field in FIELDS:
        shares = {}
        for i in INPUTS:
            right, known = tally([r[i] for r in rows], field)
            shares[i] = right / known if known else None
        figures = " ".join(f"{i}={'-' if v is None else f'{v:.2f}'}" for i, v in shares.items())
        flat, pre = shares["flat"], shares["preprocessed"]
        ratio = f"{pre / flat:.2f}" if flat and pre is not None else "-"
        parts.append(f"{field} {figures} ratio={ratio}")
    return " ".join(parts)


def mark(reading: Reading, field: str) -> str:
    verdict = reading.correct(field)
    return "-" if verdict is None else "ok" if verdict else "--"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("RECEIPTS_DIR") or DEFAULT_ROOT))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "0")))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    if not args.dir.is_dir() or not (sets := find_sets(args.dir)):
        print(f"eval-preprocess: skipped, no receipt set in {args.dir} (truth.tsv, or dev-style names)")
        return 0
    if tesseract_missing("eval-preprocess"):
        return 1
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(run, tasks(sets, args.seed)))

    print(f"{'set':10} {'image':30} {'case':16} {'total f/p/pp':14} {'date f/p/pp':14} notes")
    for r in rows:
        task = r["task"]
        cells = ["/".join(mark(r[i], field) for i in INPUTS) for field in FIELDS]
        notes = "; ".join(r["notes"])
        print(f"{task.set:10} {task.image.name[:30]:30} {task.case:16} {cells[0]:14} {cells[1]:14} {notes}")
    print()
    for name, _, _ in sets:
        print(summary_line(name, [r for r in rows if r["task"].set == name]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
