"""The extract step: read the receipt, validate it, store the result, answer the user once."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from receiptbot import contract
from receiptbot import logs as log
from receiptbot.bot import albums, receipts
from receiptbot.bot.reply import deliver, take_answer_claim, withdraw_status
from receiptbot.bot.texts import text
from receiptbot.cloud import records, storage
from receiptbot.cloud.records import Record
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptPreprocessed
from receiptbot.reading import validation
from receiptbot.reading.categories import guess_category
from receiptbot.reading.fiscal import QR_ONLY_ENGINE
from receiptbot.reading.model import Check, PermanentEngineError, Receipt
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import TelegramError

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event


# infra/pipeline.json's max_delivery_attempts: after this attempt Pub/Sub dead-letters the message.
# The deployed bundle has no infra/; tests/stack/test_fallback.py holds the two equal.
LAST_DELIVERY_ATTEMPT = 7
OFFLINE = receipts.OFFLINE_ENGINE
TEXT_LAYER_ENGINE = "pdf_text"  # read from a PDF's text layer by the offline parser


def delivery_attempt(push: Any) -> int | None:
    """Which delivery of the message this is, from the body of the Pub/Sub push (Pub/Sub sets
    deliveryAttempt when the subscription has a dead-letter policy); None when it is not said."""
    attempt = push.get("deliveryAttempt") if isinstance(push, dict) else None
    return attempt if type(attempt) is int else None


def read_receipt(
    image: bytes, s: Settings, last_attempt: bool = False, pdf: bytes | None = None
) -> tuple[Receipt, str]:
    """The receipt and the engine's name. Engines are imported lazily: each has heavy dependencies.

    ``pdf``: the upload itself when it is a PDF, which Gemini reads whole (its text, every page);
    the offline reader reads ``image``, the rendered pages.

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
        if pdf is not None:
            return gemini.read_receipt(pdf, config, "application/pdf"), f"gemini:{s.gemini_model}"
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
        # A redelivery after the record was saved (the answer failed): the reading is reused, the
        # model is not asked again.
        record = records.get(event.receipt_id)
        if record is None:
            try:
                record = read_and_save(event, push, s)
            except ImageGone:
                log.error("extract: processed image is gone, dropped", receipt_id=event.receipt_id)
                if event.album_id is None:
                    claim.release()  # not answered: nothing is left to answer from
                    return
                no_record(event, s)  # else the album's summary would wait for it forever
                claim.complete()
                return
            if record is None:  # answered already (not a receipt), or the chat was deleted meanwhile
                claim.complete()
                return
        if not claim.renew():  # ran past its lease: the instance that took it over answers
            log.warning("extract: taken over while reading; the taker answers", receipt_id=event.receipt_id)
            return
        if event.album_id is not None:  # its line in the album's summary, not a card of its own
            albums.settle(s, event, record.receipt_id)
        else:
            html, keyboard = receipts.card_message(s, record, event.language)
            card_id = deliver(bot(), event, html, reply_markup=keyboard)
            if card_id is not None and card_id != record.card_message_id:
                records.update(record.model_copy(update={"card_message_id": card_id}))
    except Exception as exc:
        claim.release()
        tell_user_we_retry(event)
        log.warning("extract: will retry", receipt_id=event.receipt_id, error=type(exc).__name__)
        raise
    claim.complete()
    log.info(
        "extract: answered",
        receipt_id=event.receipt_id,
        engine=record.engine,
        seconds=round(time.monotonic() - started, 3),
        warnings=[w.code for w in record.warnings],
        duplicate=record.duplicate_of is not None,
    )


class ImageGone(Exception):
    """The processed image was removed (by /delete or by lifecycle) before it was read."""


def read_and_save(event: ReceiptPreprocessed, push: Any, s: Settings) -> Record | None:
    """Read the receipt and save its record. None when the user was answered without a record
    (not a receipt) or the chat's data was deleted after the photo was sent."""
    if event.processed_object is None:  # only the fiscal QR code was readable: it is the whole answer
        receipt, engine = Receipt(), QR_ONLY_ENGINE
    elif event.text_layer is not None and not s.gemini_enabled:  # a PDF's own text: exact, no OCR
        from receiptbot.reading.ocr.parser import parse_receipt_text

        receipt, engine = parse_receipt_text(event.text_layer), TEXT_LAYER_ENGINE
    else:
        image = storage.read_if_exists(s.work_bucket, event.processed_object)
        if image is None:  # removed by /delete or by lifecycle: retrying cannot bring it back
            raise ImageGone(event.receipt_id)
        document = read_pdf_for_gemini(event, s)
        try:
            last_attempt = delivery_attempt(push) == LAST_DELIVERY_ATTEMPT
            receipt, engine = read_receipt(image, s, last_attempt, document)
        except PermanentEngineError as exc:
            log.warning(
                "extract: engine gave up on this receipt", receipt_id=event.receipt_id, error=str(exc)
            )
            no_record(event, s, text("not_a_receipt", event.language))
            return None
    receipt, warnings = validation.check(receipt, event.fiscal_qr, payment_qr=event.payment_qr)
    # An unreadable photo is not a record: it would be an empty row. A part of an album may be the
    # middle of a long receipt, with items only.
    if not readable(receipt) and not (event.album_id is not None and receipt.items):
        no_record(event, s, text("not_a_receipt", event.language))
        return None
    record = new_record(event, receipt, engine, warnings)
    if not records.save(record):
        log.info(
            "extract: the chat's data was deleted after this photo was sent", receipt_id=event.receipt_id
        )
        no_record(event, s)
        return None
    return record


def no_record(event: ReceiptPreprocessed, s: Settings, answer: str | None = None) -> None:
    """A receipt that gets no record. A photo of an album is settled as not read, so that the
    album's summary does not wait for it; another gets ``answer`` in its status message, or,
    with nothing to say (its chat's data was deleted), loses its status message."""
    if event.album_id is not None:
        albums.settle(s, event, None)
    elif answer is not None:
        deliver(bot(), event, answer)
    else:
        withdraw_status(bot(), event)


# Gemini takes at most 20 MB of inline data per request, base64 included; a larger PDF is read
# from its rendered pages instead.
MAX_INLINE_PDF_BYTES = 14 * 1024 * 1024


def read_pdf_for_gemini(event: ReceiptPreprocessed, s: Settings) -> bytes | None:
    """The uploaded PDF, when Gemini reads this receipt and the upload is one it can take inline."""
    if not (event.pdf and s.gemini_enabled):
        return None
    document = storage.read_if_exists(s.raw_bucket, event.raw_object)
    if document is None:  # removed by /delete or by lifecycle: retrying cannot bring it back
        raise ImageGone(event.receipt_id)
    return document if len(document) <= MAX_INLINE_PDF_BYTES else None


def new_record(event: ReceiptPreprocessed, receipt: Receipt, engine: str, warnings: list[Check]) -> Record:
    """The record of a new reading: its category (the user's choice for this shop, else the
    reader's), and whether it repeats a receipt already saved."""
    category = records.remembered_category(event.chat_id, receipt.merchant.name) or guess_category(receipt)
    record = Record(
        receipt_id=event.receipt_id,
        chat_id=event.chat_id,
        user_id=event.user_id,
        message_id=event.message_id,
        card_message_id=event.status_message_id,
        language=event.language,
        sent_at=event.sent_at,
        file_unique_id=event.file_unique_id,
        engine=engine,
        receipt=receipt,
        warnings=warnings,
        category=category,
        read_at=dt.datetime.now(dt.UTC),
    )
    original = records.duplicate_of(record)
    if original is None:
        return record
    return record.model_copy(update={"duplicate_of": original.receipt_id, "counted": False})


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
