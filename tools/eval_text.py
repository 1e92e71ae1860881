"""The parser alone, on receipts' transcribed text: held-out receipts the reader was not tuned on.

`make eval` reads the images in ../shared/receipts/; the parser's rules were made on them, so a
rule fitted to those files would not show there. The ICDAR 2019 SROIE dataset publishes, for
each of its receipts, the text of every printed box with its corners (``x1,y1,...,x4,y4,TEXT``,
one box a line) and the key fields. This tool rebuilds each receipt's printed rows from the boxes
(left to right, as OCR reads a row), parses them as the offline engine parses its OCR text, and
scores the fields as `make eval` does. No OCR is involved: it measures the parser's rules only.

A set is a folder with the box files and a truth.tsv (file, merchant, date_iso, total, currency);
docs/eval.md says which receipts were measured and where they come from (they are not in the
repository: the dataset is not ours to redistribute).

Usage: make eval-text TEXT_DIR=<folder>   (python -m tools.eval_text --dir FOLDER)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from receiptbot.reading.ocr.parser import parse_receipt_text
from tools.eval import FIELDS, Reading, Truth, field_shares, read_truth_tsv, tally


def printed_rows(boxes: str) -> str:
    """The receipt's rows: boxes whose vertical centres are within half a box's height of a row's
    join it, left to right; rows top to bottom."""
    found = []
    for line in boxes.splitlines():
        parts = line.split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        xs, ys = [float(v) for v in parts[0:8:2]], [float(v) for v in parts[1:8:2]]
        found.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), parts[8].strip()))
    rows: list[tuple[float, float, list[tuple[float, str]]]] = []
    for centre, height, left, text in sorted(found):
        row = next((r for r in rows if abs(r[0] - centre) < max(r[1], height) / 2), None)
        if row is None:
            rows.append((centre, height, [(left, text)]))
        else:
            row[2].append((left, text))
    return "\n".join(" ".join(text for _, text in sorted(row[2])) for row in rows)


def read(folder: Path, truth: Truth) -> Reading:
    receipt = parse_receipt_text(printed_rows((folder / truth.file).read_text(encoding="utf-8")))
    reading = Reading(folder.name, truth)
    reading.total, reading.date = receipt.total, receipt.date
    reading.merchant, reading.currency = receipt.merchant.name, receipt.currency
    return reading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=os.environ.get("TEXT_DIR") or None)
    args = parser.parse_args(argv)
    if args.dir is None or not (args.dir / "truth.tsv").is_file():
        print("eval-text: skipped, no folder with box files and a truth.tsv (TEXT_DIR=<folder>)")
        return 0
    readings = [read(args.dir, truth) for truth in read_truth_tsv(args.dir / "truth.tsv")]
    for r in readings:
        wrong = [
            f"{field}={getattr(r, field)} (truth {getattr(r.truth, field)})"
            for field in FIELDS
            if r.correct(field) is False
        ]
        if wrong:
            print(f"{r.truth.file:16} " + "; ".join(wrong))
    counts = " ".join(f"{field}={'/'.join(map(str, tally(readings, field)))}" for field in FIELDS)
    print(f"eval-text set={args.dir.name} n={len(readings)} {field_shares(readings)} {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
