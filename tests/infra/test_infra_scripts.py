"""`make build` bundles and `make set-webhook` against a local Bot API stand-in."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from devstack.servers import BackgroundServer
from devstack.telegram_standin import TelegramStandIn
from receiptbot.reading.ocr import tesseract

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-never-printed"
SECRET = "webhook_secret-0123456789"


def _load(name: str) -> ModuleType:
    return importlib.import_module(f"tools.{name}")


def test_build_bundles_function_and_shared_package(tmp_path: Path) -> None:
    build = _load("build_functions")
    target = build.build("webhook", tmp_path)
    assert (target / "main.py").read_bytes() == (REPO / "functions/webhook/main.py").read_bytes()
    assert (target / "requirements.txt").is_file()
    assert (target / "receiptbot" / "config.py").is_file()
    assert not list(target.rglob("__pycache__"))
    (target / "stale.py").write_text("left over")
    assert not (build.build("webhook", tmp_path) / "stale.py").exists()
    assert not (target / "tessdata").exists()  # only the functions that read text carry it


def test_build_bundles_the_offline_engines_traineddata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = _load("build_functions")
    target = build.build("extract", tmp_path)
    files = sorted(p.name for p in (target / "tessdata").iterdir())
    assert files == sorted(f"{language}.traineddata" for language in tesseract.LANGUAGES)
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    where = "from receiptbot.reading.ocr import tesseract; print(tesseract.tessdata_dir())"
    engine = subprocess.run(  # the bundle's own engine finds them there, before Debian's
        [sys.executable, "-c", where],
        cwd=target,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert engine.stdout.strip() == f"{target / 'tessdata'}/"


@pytest.fixture
def bot_api() -> Iterator[tuple[TelegramStandIn, str]]:
    """The Bot API stand-in the local stack uses, on its own port, and its URL."""
    standin = TelegramStandIn(TOKEN)
    server = BackgroundServer(standin.app, 0).start()
    yield standin, server.url
    server.stop()


def _set_webhook(api: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": api,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "WEBHOOK_URL": "https://fn.example/",
        **extra,
    }
    argv = [sys.executable, "-m", "tools.set_webhook"]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_set_webhook_registers_url_secret_and_update_kinds(bot_api: tuple[TelegramStandIn, str]) -> None:
    standin, url = bot_api
    done = _set_webhook(url, DROP_PENDING_UPDATES="1", MAX_CONNECTIONS="20")
    assert done.returncode == 0, done.stderr
    profile = ["setMyCommands", "setMyDescription", "setMyShortDescription"]
    assert [c["method"] for c in standin.calls] == ["setWebhook", *profile * 4, "getWebhookInfo"]
    by_language = {(c["method"], c["params"].get("language_code")): c["params"] for c in standin.calls}
    assert [c["command"] for c in by_language["setMyCommands", None]["commands"]] == [
        "start", "month", "export", "help", "delete",
    ]  # fmt: skip
    assert by_language["setMyCommands", "ru"]["commands"][1]["description"] == "Траты за месяц"
    assert by_language["setMyShortDescription", "ru"]["short_description"].startswith("Учёт расходов")
    assert (
        by_language["setMyDescription", "kk"]["description"]
        == by_language["setMyDescription", "ru"]["description"]
    )
    assert standin.webhook == {
        "url": "https://fn.example/",
        "secret_token": SECRET,
        "allowed_updates": ["message", "callback_query"],
        "max_connections": 20,
        "drop_pending_updates": True,
    }
    assert "setWebhook: ok, url=https://fn.example/" in done.stdout
    assert TOKEN not in done.stdout + done.stderr


def test_set_webhook_defaults_and_reports_refusal_without_the_token(
    bot_api: tuple[TelegramStandIn, str],
) -> None:
    standin, url = bot_api
    standin.failures.append(
        {"method": "setWebhook", "error_code": 400, "description": "Bad Request: bad webhook", "count": 1}
    )
    done = _set_webhook(url)
    assert done.returncode == 1
    assert standin.calls[0]["params"]["max_connections"] == 40
    assert standin.calls[0]["params"]["drop_pending_updates"] is False
    assert "400 Bad Request: bad webhook" in done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_set_webhook_hides_the_token_when_the_api_is_unreachable() -> None:
    done = _set_webhook("http://127.0.0.1:9")  # nothing listens on the discard port
    assert done.returncode == 1
    assert "could not be reached" in done.stderr
    assert TOKEN not in done.stdout + done.stderr


def test_set_webhook_refuses_a_secret_telegram_would_reject(bot_api: tuple[TelegramStandIn, str]) -> None:
    standin, url = bot_api
    done = _set_webhook(url, TELEGRAM_WEBHOOK_SECRET="has spaces")
    assert done.returncode == 1
    assert standin.calls == []


def test_replay_takes_the_deployments_names_from_terraform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `terraform` on PATH that answers `output -json` as a deployment with name_prefix "rb" would.
    outputs = {
        "raw_bucket": {"value": "p-rb-raw"},
        "work_bucket": {"value": "p-rb-work"},
        "topics": {"value": {"receipts-uploaded": "rb-receipts-uploaded"}},
    }
    fake = tmp_path / "terraform"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(outputs)}\nEOF\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    for name in ("RAW_BUCKET", "WORK_BUCKET", "TOPIC_UPLOADED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORK_BUCKET", "chosen-by-hand")  # the environment wins

    assert _load("replay").deployment_names(tmp_path) == {
        "RAW_BUCKET": "p-rb-raw",
        "WORK_BUCKET": "chosen-by-hand",
        "TOPIC_UPLOADED": "rb-receipts-uploaded",
    }
