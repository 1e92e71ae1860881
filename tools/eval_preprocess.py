"""Does preprocessing bring phone photos back to scan quality? Measured with the offline OCR engine.

For each scan in RECEIPTS_DIR (named MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg) a phone photo is
synthesised with a fixed seed (tools/phone_photos.py), plus a handful of hard cases. The engine
then reads three inputs per photo: the flat scan, the photo merely decoded to grayscale, and the
photo after ``prepare(reader="tesseract")``. A preprocessing rejection counts as a miss.

    RECEIPTS_DIR=../shared/receipts/dev python -m tools.eval_preprocess

Last line: eval-preprocess n=<count> total flat=.. photo=.. preprocessed=.. date flat=.. photo=..
preprocessed=..
"""

from __future__ import annotations

import argparse
import importlib
import os
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from receiptbot.reading.imaging import ImageRejected, prepare
from tools.eval_extract import DEFAULT_DIR, DEFAULTS, truth
from tools.phone_photos import CASES, phone_photo

ROOT = Path(__file__).resolve().parent.parent

INPUTS = ("flat", "photo", "preprocessed")
HARD_CASES = [case for case in CASES if case != "normal"]


@dataclass(frozen=True)
class Task:
    scan: Path
    case: str
    seed: int
    engine: str


def load_engine(spec: str) -> Callable[[bytes], object]:
    module, _, function = spec.partition(":")
    return getattr(importlib.import_module(module), function)


def grayscale_png(photo: bytes) -> bytes:
    """The photo as the engine would get it without preprocessing: just decoded to grayscale."""
    gray = cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_GRAYSCALE)
    return cv2.imencode(".png", gray)[1].tobytes()


def run(task: Task) -> dict[str, object]:
    cv2.setNumThreads(1)
    read = load_engine(task.engine)
    expected = truth(task.scan)
    total, date = expected.total, expected.date
    scan = task.scan.read_bytes()
    photo = phone_photo(scan, task.seed, task.case)
    inputs: dict[str, bytes | None] = {"flat": scan, "photo": grayscale_png(photo)}
    row: dict[str, object] = {"name": task.scan.stem, "case": task.case, "rejected": ""}
    try:
        inputs["preprocessed"] = prepare(
            photo, reader="tesseract", max_bytes=DEFAULTS.max_upload_bytes, max_pixels=DEFAULTS.max_pixels
        ).jpeg
    except ImageRejected as exc:
        inputs["preprocessed"] = None
        row["rejected"] = exc.reason
    for name, image in inputs.items():
        try:
            receipt = read(image) if image is not None else None
        except Exception as exc:  # an OCR timeout on a busy machine is a miss, not the end of the run
            receipt = None
            row["rejected"] += f" {name}: {type(exc).__name__}"
        row[f"total_{name}"] = receipt is not None and receipt.total == total
        row[f"date_{name}"] = receipt is not None and receipt.date == date
    return row


def tasks(folder: Path, seed: int, engine: str) -> list[Task]:
    scans = sorted(folder.glob("*.jpg"))
    if not scans:
        raise SystemExit(f"no *.jpg receipts in {folder}")
    # The seed of each photo depends on the file name, so adding a scan does not reshuffle the rest.
    out = [Task(s, "normal", seed + zlib.crc32(s.name.encode()), engine) for s in scans]
    # One hard case each for a few scans spread over the set.
    for i, case in enumerate(HARD_CASES):
        scan = scans[(i * len(scans)) // len(HARD_CASES)]
        out.append(Task(scan, case, seed + zlib.crc32(scan.name.encode()), engine))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--receipts",
        type=Path,
        default=Path(os.environ.get("RECEIPTS_DIR") or DEFAULT_DIR),
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "0")))
    parser.add_argument(
        "--engine", default="receiptbot.reading.ocr.tesseract:read_receipt", help="module:function"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        rows = list(pool.map(run, tasks(args.receipts, args.seed, args.engine)))

    mark = {True: "ok", False: "--"}
    print(f"{'receipt':34} {'case':16} {'total f/p/pp':14} {'date f/p/pp':14} notes")
    for r in rows:
        t = "/".join(mark[r[f"total_{i}"]] for i in INPUTS)
        d = "/".join(mark[r[f"date_{i}"]] for i in INPUTS)
        print(f"{r['name']:34} {r['case']:16} {t:14} {d:14} {r['rejected']}")
    share = {
        f"{field}_{i}": sum(bool(r[f"{field}_{i}"]) for r in rows) / len(rows)
        for field in ("total", "date")
        for i in INPUTS
    }
    hard = [r for r in rows if r["case"] != "normal"]
    hits = {
        key: sum(bool(r[key]) for r in hard)
        for key in ("total_photo", "total_preprocessed", "date_photo", "date_preprocessed")
    }
    print(
        f"hard cases: n={len(hard)} total photo={hits['total_photo']}"
        f" preprocessed={hits['total_preprocessed']} date photo={hits['date_photo']}"
        f" preprocessed={hits['date_preprocessed']}"
    )
    figures = " ".join(
        f"{field} " + " ".join(f"{i}={share[f'{field}_{i}']:.2f}" for i in INPUTS)
        for field in ("total", "date")
    )
    print(f"eval-preprocess n={len(rows)} {figures}")


if __name__ == "__main__":
    main()
