"""Logs in Cloud Logging's JSON format: one line per record, the app's and every library's.

Cloud Functions ship stdout lines that are JSON objects as `jsonPayload`, reading `severity`,
`message`, `time`, the labels and the trace from them. The app logs through the standard
library (`log.info(message, **fields)` here is a shortcut for the "receiptbot" logger with the
fields as `extra`); `setup()` gives the root logger one handler with `CloudLoggingFormatter`, so
library records (google-cloud, urllib3, Flask's "Exception on /" with its traceback) are one
entry each too. Callers pass ids, never tokens, URLs, chat content or whole updates. The receipt
id is also a label, so one filter (labels.receipt_id="...") shows a receipt's every step.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

LABELS = "logging.googleapis.com/labels"  # a special field: Cloud Logging moves it to the entry's labels
TRACE = "logging.googleapis.com/trace"
SPAN_ID = "logging.googleapis.com/spanId"
TRACE_SAMPLED = "logging.googleapis.com/trace_sampled"
# functions-framework's middleware puts this header on every request (taken from the platform's
# or generated), the same id its LOG_EXECUTION_ID mode writes as the execution_id label.
EXECUTION_ID_HEADER = "Function-Execution-Id"
# "TRACE_ID/SPAN_ID;o=1", span id in decimal (https://cloud.google.com/trace/docs/trace-context).
TRACE_CONTEXT_HEADER = "X-Cloud-Trace-Context"
TRACE_CONTEXT = re.compile(r"(?P<trace_id>[0-9a-fA-F]+)(?:/(?P<span_id>\d+))?(?:;o=(?P<sampled>[01]))?")
# What every LogRecord has: anything else on a record came in as `extra`, and is a field of the entry.
RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

app_logger = logging.getLogger("receiptbot")
app_logger.setLevel(logging.INFO)  # the app's records from INFO up, libraries' from WARNING (setup)


class CloudLoggingFormatter(logging.Formatter):
    """A record as one line of Cloud Logging JSON, its traceback in `message` (where Error
    Reporting finds it), and the request's execution id and trace when there is one."""

    def __init__(self, project: str | None = None) -> None:
        super().__init__()
        self.project = project  # the trace's full name needs it

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            message += "\n" + record.exc_text
        if record.stack_info:
            message += "\n" + self.formatStack(record.stack_info)
        entry: dict[str, Any] = {
            "severity": record.levelname,
            "message": message,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logger": record.name,
        }
        entry |= {k: v for k, v in record.__dict__.items() if k not in RECORD_ATTRIBUTES and v is not None}
        labels = {"receipt_id": str(entry["receipt_id"])} if "receipt_id" in entry else {}
        if (headers := request_headers()) is not None:
            if execution_id := headers.get(EXECUTION_ID_HEADER):
                labels["execution_id"] = execution_id
            entry |= self.trace_fields(headers.get(TRACE_CONTEXT_HEADER, ""))
        if labels:
            entry[LABELS] = labels
        return json.dumps(entry, default=str, ensure_ascii=False)

    def trace_fields(self, trace_context: str) -> dict[str, Any]:
        """The fields that tie an entry to its request's trace, from an X-Cloud-Trace-Context value."""
        context = TRACE_CONTEXT.fullmatch(trace_context)
        if context is None or not self.project:
            return {}
        fields: dict[str, Any] = {TRACE: f"projects/{self.project}/traces/{context['trace_id']}"}
        if context["span_id"]:
            fields[SPAN_ID] = f"{int(context['span_id']):016x}"  # Cloud Logging wants 16 hex digits
        if context["sampled"]:
            fields[TRACE_SAMPLED] = context["sampled"] == "1"
        return fields


def request_headers() -> Mapping[str, str] | None:
    """The headers of the request this thread is serving, if any.

    Flask stays out of receiptbot's imports (import-linter): it is looked up only where it is
    already loaded, that is in a function's process, where its request context is the record's.
    """
    flask = sys.modules.get("flask")
    if flask is None or not flask.has_request_context():
        return None
    return flask.request.headers


def setup() -> None:
    """One handler on the root logger, writing every record as one JSON line to stdout.

    Called once per process by each function's main.py at import. functions-framework has run
    before it: the deployment sets LOG_EXECUTION_ID=true (the Cloud Functions API sets it on every
    2nd gen function anyway), and so does the local stack, to be the same. With it ff dictConfigs
    the root logger with a handler of its own, whose records (Flask's traceback among them) came
    out as a second line without severity: `force` replaces it, and the execution id it added is
    a label here (EXECUTION_ID_HEADER). The stream is stdout as it is now, at cold start, not the
    wrapper ff puts in sys.stdout during a request (which would parse every line again).
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(CloudLoggingFormatter(os.environ.get("GOOGLE_CLOUD_PROJECT")))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.captureWarnings(True)  # warnings.warn() too, as entries with severity WARNING


def info(message: str, **fields: Any) -> None:
    """Log through the "receiptbot" logger; the fields (not LogRecord attribute names such as
    `name` or `module`) become the entry's fields, and those that are None are left out."""
    app_logger.info(message, extra=fields, stacklevel=2)


def warning(message: str, **fields: Any) -> None:
    app_logger.warning(message, extra=fields, stacklevel=2)


def error(message: str, **fields: Any) -> None:
    app_logger.error(message, extra=fields, stacklevel=2)
