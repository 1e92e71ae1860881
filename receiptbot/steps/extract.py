"""The extract step: read the receipt, validate it, store the result, answer the user once."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from receiptbot import contract, layout
from receiptbot import logs as log
from receiptbot.bot.card import render_result
from receiptbot.bot.reply import deliver, take_answer_claim
from receiptbot.bot.texts import text
from receiptbot.cloud import storage
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptPreprocessed
from receiptbot.reading import validation
from receiptbot.reading.fiscal import QR_ONLY_ENGINE
from receiptbot.reading.model import ExtractionResult, PermanentEngineError, Receipt
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import TelegramError

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event


# infra/pipeline.json's max_delivery_attempts: after this attempt Pub/Sub dead-letters the message.
# The deployed bundle has no infra/; tests/stack/test_fallback.py holds the two equal.
LAST_DELIVERY_ATTEMPT = 7
OFFLINE = "tesseract"


def delivery_attempt(push: Any) -> int | None:
    """Which delivery of the message this is, from the body of the Pub/Sub push (Pub/Sub sets
    deliveryAttempt when the subscription has a dead-letter policy); None when it is not said."""
    attempt = push.get("deliveryAttempt") if isinstance(push, dict) else None
    return attempt if type(attempt) is int else None


def read_receipt(image: bytes, s: Settings, last_attempt: bool = False) -> tuple[Receipt, str]:
    """The receipt and the engine's name. Engines are imported lazily: each has heavy dependencies.

    When Gemini fails for a passing reason (429, 5xx, timeout) on the last delivery attempt, the
    offline reading answers instead, if this runtime has one and it reads a total or a date;
    otherwise the failure is raised, and the receipt is dead-lettered (kept for `make replay`).
    """
    if not s.gemini_enabled:
        from receiptbot.reading.ocr import tesseract

        return tesseract.read_receipt(image), OFFLINE
    from receiptbot.reading import gemini

    config = gemini.GeminiConfig(
        model=s.gemini_model,
        api_key=s.gemini_api_key.get_secret_value(),
        use_vertex_ai=s.use_vertex_ai,
        project=s.project,
        location=s.vertex_location,
        base_url=s.gemini_base_url,
        timeout_seconds=s.gemini_timeout_seconds,
    )
    try:
        return gemini.read_receipt(image, config), f"gemini:{s.gemini_model}"
    except PermanentEngineError:
        raise
    except Exception as exc:  # passing: Pub/Sub delivers the receipt again, unless this was the last time
        offline = read_offline(image) if last_attempt and s.offline_fallback else None
        if offline is None or not readable(offline):
            raise
        log.warning("extract: Gemini failed on the last attempt, answered offline", error=type(exc).__name__)
        return offline, OFFLINE


def read_offline(image: bytes) -> Receipt | None:
    """The offline engine's reading, or None when this runtime cannot read offline (no tessdata)."""
    try:
        from receiptbot.reading.ocr import tesseract

        return tesseract.read_receipt(image)
    except Exception as exc:
        log.warning("extract: no offline reading", error=type(exc).__name__)
        return None


def readable(receipt: Receipt) -> bool:
    return receipt.total is not None or receipt.date is not None


def handle_event(data: Any, push: Any = None) -> None:
    """``data`` is the CloudEvent's; ``push`` the push request's body, for its delivery attempt."""
    event = contract.parse(data, ReceiptPreprocessed, "extract")
    if event is None:
        return
    claim = take_answer_claim(event)  # None: this receipt was answered already
    if claim is None:
        return
    s = settings()
    started = time.monotonic()
    try:
        if event.processed_object is None:  # only the fiscal QR code was readable: it is the whole answer
            receipt, engine = Receipt(), QR_ONLY_ENGINE
        else:
            image = storage.read_if_exists(s.work_bucket, event.processed_object)
            if image is None:  # removed by /delete or by lifecycle: retrying cannot bring it back
                log.error("extract: processed image is gone, dropped", receipt_id=event.receipt_id)
                claim.release()
                return
            try:
                last_attempt = delivery_attempt(push) == LAST_DELIVERY_ATTEMPT
                receipt, engine = read_receipt(image, s, last_attempt)
            except PermanentEngineError as exc:
                log.warning(
                    "extract: engine gave up on this receipt", receipt_id=event.receipt_id, error=str(exc)
                )
                deliver(bot(), event, text("not_a_receipt", event.language))
                claim.complete()
                return
        receipt, warnings = validation.check(receipt, event.fiscal_qr)
        result = ExtractionResult(
            receipt_id=event.receipt_id,
            chat_id=event.chat_id,
            engine=engine,
            receipt=receipt,
            warnings=warnings,
            read_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        storage.write(
            s.results_bucket,
            layout.result(event.chat_id, event.receipt_id),
            result.model_dump_json(indent=1).encode(),
            "application/json",
        )
        read_offline_instead = s.gemini_enabled and engine == OFFLINE  # Gemini failed on the last attempt
        answer = (
            render_result(result, event.language, read_offline=read_offline_instead)
            if readable(receipt)
            else text("not_a_receipt", event.language)
        )
        deliver(bot(), event, answer)
    except Exception as exc:
        claim.release()
        tell_user_we_retry(event)
        log.warning("extract: will retry", receipt_id=event.receipt_id, error=type(exc).__name__)
        raise
    claim.complete()
    log.info(
        "extract: answered",
        receipt_id=event.receipt_id,
        engine=engine,
        seconds=round(time.monotonic() - started, 3),
        warnings=[w.code for w in warnings],
    )


def tell_user_we_retry(event: ReceiptPreprocessed) -> None:
    """Best effort: the status message says we are retrying (editing it again changes nothing)."""
    if event.status_message_id is None:
        return
    try:
        bot().edit_message_text(
            event.chat_id, event.status_message_id, text("temporary_failure", event.language)
        )
    except TelegramError:
        pass
