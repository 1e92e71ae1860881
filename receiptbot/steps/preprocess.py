"""The preprocess step: raw photo in, clean image out, next event published.

The work is deterministic: a redelivered event computes the same image and fiscal QR code from
the same photo, so the create-only write keeps whichever copy came first and both publish the
same event. Repeats are rare; checking for them first would cost every receipt a read.
"""

from __future__ import annotations

import time
from typing import Any

from google.api_core import exceptions as gexc

from receiptbot import contract, layout
from receiptbot import logs as log
from receiptbot.bot.reply import answer_once
from receiptbot.bot.texts import text
from receiptbot.cloud import pubsub, storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed, ReceiptUploaded
from receiptbot.reading import imaging
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import TelegramError

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event

# imaging's rejection reasons are the user's text keys, but for this one.
REASON_TEXTS = {"not_image": "not_an_image"}


def handle_event(data: Any) -> None:
    event = contract.parse(data, ReceiptUploaded, "preprocess")
    # No "already answered?" read here: a repeat is published again and extract's answer claim
    # drops it; a repeat of a rejected photo gets answer_once's False.
    if event is None:
        return
    s = settings()
    started = time.monotonic()
    show_typing(event)
    try:
        raw = storage.read(s.raw_bucket, event.raw_object)
    except gexc.NotFound:
        log.error("preprocess: raw photo is gone, dropped", receipt_id=event.receipt_id)
        return
    try:
        prepared = imaging.prepare(
            raw,
            reader="gemini" if s.gemini_enabled else "tesseract",
            max_bytes=s.max_upload_bytes,
            max_pixels=s.max_pixels,
        )
    except imaging.ImageRejected as rejected:
        log.info("preprocess: photo rejected", receipt_id=event.receipt_id, reason=rejected.reason)
        reason = REASON_TEXTS.get(rejected.reason, rejected.reason)
        answer_once(bot(), event, text(reason, event.language))
        return
    name = None  # no image: the photo failed the quality gate, its fiscal QR code is the answer
    if prepared.jpeg is not None:
        name = layout.processed_image(event.receipt_id)
        storage.create(s.work_bucket, name, prepared.jpeg, "image/jpeg")
    next_event = ReceiptPreprocessed(
        **event.model_dump(), processed_object=name, fiscal_qr=prepared.fiscal_qr
    )
    pubsub.publish(s.project, s.topic_preprocessed, next_event)
    log.info(
        "preprocess: done",
        receipt_id=event.receipt_id,
        seconds=round(time.monotonic() - started, 3),
        fiscal_qr=prepared.fiscal_qr is not None,
        qr_only_because=prepared.rejected,
    )


def show_typing(event: ReceiptUploaded) -> None:
    """ "typing…" in the chat while the receipt is read (after the webhook's 200, so it costs no ack time)."""
    try:
        bot().send_chat_action(event.chat_id)
    except TelegramError:
        pass  # a nicety, never a reason to fail
