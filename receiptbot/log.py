"""Structured logs in Cloud Logging's JSON format: one line per step per receipt.

Cloud Functions ship stdout lines that are JSON objects as `jsonPayload`, reading `severity`
and `message` from them. Callers pass ids, never tokens, URLs or whole updates. The receipt id
is also a log entry label, so one filter (labels.receipt_id="...") shows a receipt's every step.
"""

from __future__ import annotations

import json
import sys
from typing import Any

LABELS = "logging.googleapis.com/labels"  # a special field: Cloud Logging moves it to the entry's labels


def log(severity: str, message: str, **fields: Any) -> None:
    entry = {"severity": severity, "message": message, **{k: v for k, v in fields.items() if v is not None}}
    if "receipt_id" in entry:
        entry[LABELS] = {"receipt_id": str(entry["receipt_id"])}
    # One write per entry: print() writes the text and the newline apart, and entries from
    # concurrent requests then ran together on one line (seen in the benchmark's logs).
    sys.stdout.write(json.dumps(entry, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def info(message: str, **fields: Any) -> None:
    log("INFO", message, **fields)


def warning(message: str, **fields: Any) -> None:
    log("WARNING", message, **fields)


def error(message: str, **fields: Any) -> None:
    log("ERROR", message, **fields)
