"""When extract answers from the offline reading instead of Gemini: only on the last delivery
attempt, only for Gemini's passing failures, and only with an offline reading worth showing.
(tests/stack/test_fallback.py runs the whole path on the local stack.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from google.genai import errors

from receiptbot.bot.card import render_card
from receiptbot.bot.texts import TEXTS, Language
from receiptbot.cloud.records import Record
from receiptbot.config import Settings
from receiptbot.reading import gemini
from receiptbot.reading.model import PermanentEngineError, Receipt
from receiptbot.reading.ocr import tesseract
from receiptbot.steps import extract

OFFLINE_READING = Receipt(total=Decimal("15.69"), date="2020-04-07")
GEMINI_DOWN = errors.ServerError(503, {"error": {"code": 503, "message": "down", "status": "UNAVAILABLE"}})


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """`engines(gemini=exception, offline=receipt or exception)`: what each engine does when called."""

    def behave(gemini_raises: Exception, offline: Receipt | Exception = OFFLINE_READING) -> None:
        def gemini_read(image: bytes, config: gemini.GeminiConfig) -> Receipt:
            raise gemini_raises

        def offline_read(image: bytes) -> Receipt:
            if isinstance(offline, Exception):
                raise offline
            return offline

        monkeypatch.setattr(gemini, "read_receipt", gemini_read)
        monkeypatch.setattr(tesseract, "read_receipt", offline_read)

    return behave


@pytest.fixture
def on_gemini(environ: Callable[..., Settings]) -> Settings:
    return environ(EXTRACT_ENGINE="gemini", GEMINI_API_KEY="unit-test-key")


def test_gemini_down_on_the_last_attempt_is_answered_offline(on_gemini: Settings, engines) -> None:
    engines(GEMINI_DOWN)
    assert extract.read_receipt(b"jpeg", on_gemini, last_attempt=True) == (OFFLINE_READING, "tesseract")


def test_gemini_down_before_the_last_attempt_is_raised_for_a_redelivery(on_gemini: Settings, engines) -> None:
    engines(GEMINI_DOWN)
    with pytest.raises(errors.ServerError):
        extract.read_receipt(b"jpeg", on_gemini, last_attempt=False)


@pytest.mark.parametrize(
    "offline",
    [
        RuntimeError("Failed to init API, possibly an invalid tessdata path"),  # no tessdata here
        Receipt(),  # neither total nor date: dead-lettered, kept for `make replay`, is better
    ],
    ids=["no-offline-engine", "unreadable"],
)
def test_no_useful_offline_reading_leaves_the_gemini_failure(
    on_gemini: Settings, engines, offline: Receipt | Exception
) -> None:
    engines(GEMINI_DOWN, offline)
    with pytest.raises(errors.ServerError):
        extract.read_receipt(b"jpeg", on_gemini, last_attempt=True)


def test_offline_fallback_false_leaves_the_gemini_failure(environ, engines) -> None:
    s = environ(EXTRACT_ENGINE="gemini", GEMINI_API_KEY="unit-test-key", OFFLINE_FALLBACK="false")
    engines(GEMINI_DOWN)
    with pytest.raises(errors.ServerError):
        extract.read_receipt(b"jpeg", s, last_attempt=True)


def test_a_permanent_refusal_is_not_answered_offline(on_gemini: Settings, engines) -> None:
    engines(PermanentEngineError("Gemini refused the request (400)"))
    with pytest.raises(PermanentEngineError):
        extract.read_receipt(b"jpeg", on_gemini, last_attempt=True)


@pytest.mark.parametrize(
    ("push", "attempt"),
    [
        ({"message": {}, "subscription": "s", "deliveryAttempt": 7}, 7),
        ({"message": {}, "subscription": "s"}, None),  # no dead-letter policy: never the last
        ({"deliveryAttempt": "7"}, None),
        ({"deliveryAttempt": True}, None),
        (None, None),  # not a JSON body
    ],
)
def test_the_delivery_attempt_is_read_from_the_push_body(push: object, attempt: int | None) -> None:
    assert extract.delivery_attempt(push) == attempt


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_card_says_when_it_was_read_offline(language: Language) -> None:
    result = Record(
        receipt_id="1_2",
        chat_id=1,
        message_id=2,
        engine="tesseract",
        receipt=OFFLINE_READING,
        read_at=dt.datetime.now(dt.UTC),
    )
    mark = TEXTS["card_read_offline"][language]
    assert mark in render_card(result, language, read_offline=True)
    assert mark not in render_card(result, language)
