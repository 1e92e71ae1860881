"""Logs: Cloud Logging's JSON format, one line per record and per step of a receipt, never a secret.

The whole-suite check lives in conftest (`no_secret_in_any_log`, run at the end of the session);
here the error paths most likely to leak are driven on purpose and the logs read right after.
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path

import pytest
from helpers import SAMPLE, secrets_in_logs
from pydantic import SecretStr

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.logs import LABELS
from receiptbot.telegram.api import BotApi
from receiptbot.telegram.errors import NetworkError

STEPS = ("webhook", "preprocess", "extract", "deadletter")
SEVERITIES = {"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"}


def json_lines(stack: LocalStack, step: str) -> list[dict]:
    """Every line a function wrote, each of which must be one JSON entry (a record's traceback too)."""
    lines = (stack.log_dir / f"{step}.log").read_text(errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def lines_of(stack: LocalStack, rid: str) -> dict[str, list[dict]]:
    return {step: [e for e in json_lines(stack, step) if e.get("receipt_id") == rid] for step in STEPS}


def test_a_receipt_logs_one_line_per_step_in_cloud_logging_format(
    gemini_stack: LocalStack, gemini_user: TelegramUser
) -> None:
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    gemini_user.wait_for_answer(sent.message_id)
    rid = layout.receipt_id(gemini_user.chat_id, sent.message_id)
    deadline = time.monotonic() + 5
    while not lines_of(gemini_stack, rid)["extract"] and time.monotonic() < deadline:
        time.sleep(0.1)  # extract logs right after it answered
    lines = lines_of(gemini_stack, rid)
    assert {step: len(found) for step, found in lines.items()} == {
        "webhook": 1,
        "preprocess": 1,
        "extract": 1,
        "deadletter": 0,
    }
    for entry in (entry for found in lines.values() for entry in found):
        assert entry["severity"] in SEVERITIES and isinstance(entry["message"], str)
        # functions-framework's execution id of the request, as in the cloud (LOG_EXECUTION_ID).
        assert entry[LABELS] == {"receipt_id": rid, "execution_id": entry[LABELS]["execution_id"]}
        assert entry[LABELS]["execution_id"]
    for step in STEPS:  # every JSON line of every function, not only this receipt's
        for entry in json_lines(gemini_stack, step):
            assert entry["severity"] in SEVERITIES and entry["message"]


def test_error_paths_log_no_secret_no_file_url_no_update(
    gemini_stack: LocalStack, gemini_user: TelegramUser
) -> None:
    # Wrong secret, a Gemini 500 then a 400, Telegram failing a download and an edit.
    assert gemini_user.post(gemini_user.photo_update(SAMPLE.read_bytes()), secret="wrong").status == 401
    gemini_stack.gemini.fail_next = [500, 400]
    gemini_stack.telegram.failures.append(
        {"method": "editMessageText", "error_code": 502, "description": "Bad Gateway", "count": 1}
    )
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    gemini_user.wait_for_answer(sent.message_id, timeout=60)
    missing = gemini_user.message(
        photo=[{"file_id": "no-such-file", "file_unique_id": "x", "width": 9, "height": 9}]
    )
    assert gemini_user.post(missing).status == 200
    # Every scripted failure was met, so the error paths below really ran.
    assert gemini_stack.gemini.fail_next == []
    assert all(f["count"] == 0 for f in gemini_stack.telegram.failures)
    assert gemini_user.chat()[-1]["text"] == TEXTS["not_an_image"]["en"]  # the missing file
    gemini_stack.telegram.failures.clear()

    assert secrets_in_logs() == []
    for step in STEPS:
        text = (gemini_stack.log_dir / f"{step}.log").read_text(errors="replace")
        assert "/file/bot" not in text and "update_id" not in text and "no-such-file" not in text


def test_an_unreachable_bot_api_error_carries_no_token(tmp_path: Path) -> None:
    token = "123456:SECRET-token-for-this-test"
    bot = BotApi(SecretStr(token), base_url="http://127.0.0.1:9", timeout=2)
    for call in (lambda: bot.send_message(1, "hi"), lambda: bot.download("photos/x.jpg", 10)):
        with pytest.raises(NetworkError) as caught:
            call()
        printed = "".join(traceback.format_exception(caught.value))
        assert token not in printed and "bot123456" not in printed
