"""The retry contract at each entry point, in process: functions-framework builds the function from
its main.py (``create_app(...).test_client()``), and the step it calls raises each kind of fault.

Pub/Sub redelivers (and Telegram re-sends) whatever gets no 2xx: Busy must be a quiet 503, a
transient fault a 5xx, a permanent one a 2xx, and a step that returns a 2xx.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from functions_framework import create_app
from helpers import REPO

from receiptbot import faults
from receiptbot.steps import deadletter, export, extract, preprocess, webhook

EVENT_STEPS = {"preprocess": preprocess, "extract": extract, "export": export, "deadletter": deadletter}


def raising(fault: Exception | None) -> Callable[..., object]:
    def handle(*_: object) -> object:
        if fault is not None:
            raise fault
        return "ok", 200

    return handle


def push(client: FlaskClient) -> int:
    """POST a Pub/Sub push envelope, as the push subscription (or the local relay) does."""
    envelope = {
        "message": {
            "data": base64.b64encode(b"{}").decode(),
            "messageId": "1",
            "publishTime": "2024-01-01T00:00:00Z",
        },
        "subscription": "projects/p/subscriptions/s",
    }
    # The topic in the path names the event's source, as the stack's and the cloud's push URLs do.
    response = client.post("/projects/p/topics/t", data=json.dumps(envelope), content_type="application/json")
    return response.status_code


@pytest.mark.parametrize("name", sorted(EVENT_STEPS))
@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (None, 200),
        (faults.Busy("another instance holds the claim"), 503),
        (faults.Transient("storage is down"), 500),
        (faults.Permanent("cannot be read, the user was told"), 200),
        (RuntimeError("a bug"), 500),  # not foreseen: retried like a transient fault
    ],
    ids=["returns", "busy", "transient", "permanent", "unforeseen"],
)
def test_an_event_function_turns_each_fault_into_its_status(
    monkeypatch: pytest.MonkeyPatch, name: str, fault: Exception | None, expected: int
) -> None:
    monkeypatch.setattr(EVENT_STEPS[name], "handle_event", raising(fault))
    app = create_app(name, str(REPO / "functions" / name / "main.py"), "cloudevent")
    assert push(app.test_client()) == expected


def test_busy_is_answered_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(extract, "handle_event", raising(faults.Busy("receipt 1_2 is being answered")))
    app = create_app("extract", str(REPO / "functions" / "extract" / "main.py"), "cloudevent")
    assert push(app.test_client()) == 503
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (None, 200),
        (faults.Transient("Telegram is down"), 503),
        (faults.Permanent("the user blocked the bot"), 200),
        (RuntimeError("a bug"), 500),
    ],
    ids=["returns", "transient", "permanent", "unforeseen"],
)
def test_the_webhook_turns_each_fault_into_its_status(
    monkeypatch: pytest.MonkeyPatch, fault: Exception | None, expected: int
) -> None:
    monkeypatch.setattr(webhook, "handle_request", raising(fault))
    app = create_app("webhook", str(REPO / "functions" / "webhook" / "main.py"), "http")
    response = app.test_client().post("/", json={"update_id": 1})
    assert response.status_code == expected
