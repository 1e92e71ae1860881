"""Each function, run in-process by functions-framework with the deployment's environment, writes
exactly one Cloud Logging JSON entry, with severity, per log record: the app's, a library's, and
Flask's "Exception on /" with its traceback (finding F1: with LOG_EXECUTION_ID=true ff gives the
root logger a handler of its own, and that traceback came out twice, once without severity)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from functions_framework import create_app
from helpers import REPO

from receiptbot import logs as log
from receiptbot.config import settings
from receiptbot.logs import LABELS, SPAN_ID, TRACE

PROJECT = "test-project"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
SECRETS = {"TELEGRAM_BOT_TOKEN": "123456:unit-test-token", "TELEGRAM_WEBHOOK_SECRET": "unit-test-secret"}
# infra/terraform/modules/receipt-bot/locals.tf's `environment` (what matters of it here), Secret
# Manager's variables with stand-in values, and the step each function's main.py calls.
CLOUD_ENV = {"GOOGLE_CLOUD_PROJECT": PROJECT, "LOG_EXECUTION_ID": "true", "THREADS": "8", **SECRETS}
FUNCTIONS = {
    "webhook": ("http", "handle_request", {"ALLOWED_CHAT_IDS": "1"}),
    "preprocess": ("cloudevent", "handle_event", {"EXTRACT_ENGINE": "gemini"}),
    "extract": (
        "cloudevent",
        "handle_event",
        {"EXTRACT_ENGINE": "gemini", "GEMINI_API_KEY": "unit-test-key"},
    ),
    "deadletter": ("cloudevent", "handle_event", {}),
}
CLOUD_EVENT_HEADERS = {
    "ce-id": "1",
    "ce-source": "//pubsub.googleapis.com/projects/test-project/topics/t",
    "ce-type": "google.cloud.pubsub.topic.v1.messagePublished",
    "ce-specversion": "1.0",
}


def start(name: str, monkeypatch: pytest.MonkeyPatch, step_run: Callable[..., object]) -> FlaskClient:
    """The function's Flask test client, under the cloud's environment, its step replaced by step_run."""
    signature_type, handle, env = FUNCTIONS[name]
    for key, value in (CLOUD_ENV | env).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FUNCTION_TARGET", name)  # create_app sets it; monkeypatch puts back what was there
    settings.cache_clear()
    enabled = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    enabled = [lg for lg in enabled if not lg.disabled]
    monkeypatch.setattr(f"receiptbot.steps.{name}.{handle}", step_run)
    app = create_app(name, str(REPO / "functions" / name / "main.py"), signature_type)
    # ff's dictConfig disables every logger that already exists. In the cloud it runs first in a
    # new process, where none of ours exists yet; here earlier tests made them: enable them again.
    for lg in enabled:
        lg.disabled = False
    return app.test_client()


def entries(output: str) -> list[dict]:
    """Every line written, each of which must be one JSON entry."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def failing_step(*_args: object) -> None:
    log.info("test: step started", receipt_id="1_2")
    logging.getLogger("urllib3.connectionpool").warning("Retrying after connection broken by %s", "Timeout")
    raise RuntimeError("boom")


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_each_record_is_one_json_entry_with_severity_and_the_execution_id(
    name: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    client = start(name, monkeypatch, failing_step)
    headers = {"X-Cloud-Trace-Context": f"{TRACE_ID}/123;o=1"}
    if FUNCTIONS[name][0] == "cloudevent":
        headers |= CLOUD_EVENT_HEADERS
    response = client.post("/", headers=headers, json={"message": {"data": ""}})
    assert response.status_code == 500

    captured = capfd.readouterr()
    written = entries(captured.out + captured.err)
    assert [(e["severity"], e["logger"]) for e in written] == [
        ("INFO", "receiptbot"),
        ("WARNING", "urllib3.connectionpool"),
        ("ERROR", name),  # Flask's app logger is named after the target
    ]
    app, library, flask = written
    assert app["message"] == "test: step started" and app["receipt_id"] == "1_2"
    assert app[LABELS]["receipt_id"] == "1_2"
    assert library["message"] == "Retrying after connection broken by Timeout"
    assert flask["message"].startswith("Exception on / [POST]\nTraceback (most recent call last):")
    assert flask["message"].rstrip().endswith("RuntimeError: boom")
    # ff's middleware made up the execution id (the platform sends one in the cloud): all share it.
    execution_ids = {e[LABELS]["execution_id"] for e in written}
    assert len(execution_ids) == 1 and execution_ids != {""}
    for entry in written:
        assert entry[TRACE] == f"projects/{PROJECT}/traces/{TRACE_ID}"
        assert entry[SPAN_ID] == f"{123:016x}"
        assert entry["time"].endswith("+00:00")
    assert not any(secret in captured.out + captured.err for secret in SECRETS.values())


def test_the_execution_id_the_platform_sends_is_the_label(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def step_run(*_args: object) -> tuple[str, int]:
        log.warning("test: a warning", chat_id=1, error=None)
        return "ok", 200

    client = start("webhook", monkeypatch, step_run)
    assert client.post("/", headers={"Function-Execution-Id": "exec-from-platform"}).status_code == 200
    (entry,) = entries(capfd.readouterr().out)
    assert entry[LABELS] == {"execution_id": "exec-from-platform"}
    assert entry["severity"] == "WARNING" and entry["chat_id"] == 1
    assert "error" not in entry and TRACE not in entry  # None fields are left out; no trace header


def test_outside_a_request_an_entry_has_no_request_fields(capfd: pytest.CaptureFixture[str]) -> None:
    log.setup()
    log.error("test: at cold start", receipt_id="3_4", event="receipt_dead_lettered")
    (entry,) = entries(capfd.readouterr().out)
    assert entry["severity"] == "ERROR" and entry["event"] == "receipt_dead_lettered"
    assert entry[LABELS] == {"receipt_id": "3_4"}
