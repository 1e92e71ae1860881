"""Structured logs in Cloud Logging's JSON format: one line per step per receipt.

Cloud Functions ship stdout lines that are JSON objects as `jsonPayload`, reading `severity`
and `message` from them. Callers pass ids, never tokens, URLs or whole updates. The receipt id
is also a log entry label, so one filter (labels.receipt_id="...") shows a receipt's every step.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
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


class CloudLoggingHandler(logging.Handler):
    """Other libraries' log records (Flask's "Exception on …" with its traceback) as one entry each.

    Flask writes an unhandled exception to stderr as plain text, which Cloud Logging splits into
    one entry per line with no severity. Through this handler the message and its traceback are
    one JSON entry with the record's severity, which Error Reporting also picks up.
    """

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info))
        log(record.levelname, message, logger=record.name)


def capture_library_logs() -> None:
    """Route warnings and errors of every library through Cloud Logging's JSON (once per process).

    Called at import by each function's main.py, before Flask creates its logger: Flask then sees
    a handler on the root logger and adds no plain-text one of its own.
    """
    root = logging.getLogger()
    if not any(isinstance(handler, CloudLoggingHandler) for handler in root.handlers):
        root.addHandler(CloudLoggingHandler(logging.WARNING))
