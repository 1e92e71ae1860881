"""The preprocess step: raw photo (or PDF) in, clean image out, next event published.

A PDF's first pages are rendered and prepared like a photo; its text layer, when it has one,
travels in the event (an e-receipt's text needs no OCR), and so does a bill's payment QR code.

The work is deterministic: a redelivered event computes the same image and fiscal QR code from
the same photo, so the create-only write keeps whichever copy came first and both publish the
same event. Repeats are rare; checking for them first would cost every receipt a read.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np
from google.api_core import exceptions as gexc

from receiptbot import contract, layout
from receiptbot import logs as log
from receiptbot.bot.albums import answer_once
from receiptbot.bot.texts import text
from receiptbot.cloud import pubsub, storage
from receiptbot.config import settings
from receiptbot.contract import ReceiptPreprocessed, ReceiptUploaded
from receiptbot.reading import imaging, pdf
from receiptbot.reading.imaging.qr import QRCodes, find_qr_codes
from receiptbot.telegram.api import bot
from receiptbot.telegram.errors import TelegramError

settings()  # read at import: a bad variable stops the instance at cold start, not at its first event

# imaging's rejection reasons are the user's text keys, but for this one.
REASON_TEXTS = {"not_image": "not_an_image"}
MAX_TEXT_LAYER = 20_000  # characters of a PDF's text carried in the event: a receipt has ~2,000


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
    reader = "gemini" if s.gemini_enabled else "tesseract"
    text_layer, codes = None, QRCodes()
    try:
        if pdf.is_pdf(raw):
            prepared, text_layer, codes = prepare_pdf(raw, reader, s.max_upload_bytes, s.max_pixels)
        else:
            prepared = imaging.prepare(
                raw, reader=reader, max_bytes=s.max_upload_bytes, max_pixels=s.max_pixels
            )
    except (imaging.ImageRejected, pdf.PdfRejected) as rejected:
        log.info("preprocess: upload rejected", receipt_id=event.receipt_id, reason=rejected.reason)
        reason = REASON_TEXTS.get(rejected.reason, rejected.reason)
        answer_once(bot(), event, text(reason, event.language))
        return
    name = None  # no image: the photo failed the quality gate, its fiscal QR code is the answer
    if prepared.jpeg is not None:
        name = layout.processed_image(event.receipt_id)
        storage.create(s.work_bucket, name, prepared.jpeg, "image/jpeg")
    next_event = ReceiptPreprocessed(
        **event.model_dump(),
        processed_object=name,
        fiscal_qr=prepared.fiscal_qr or codes.fiscal,
        payment_qr=prepared.payment_qr or codes.payment,
        text_layer=text_layer,
        pdf=pdf.is_pdf(raw),
    )
    pubsub.publish(s.project, s.topic_preprocessed, next_event)
    log.info(
        "preprocess: done",
        receipt_id=event.receipt_id,
        seconds=round(time.monotonic() - started, 3),
        fiscal_qr=next_event.fiscal_qr is not None,
        payment_qr=next_event.payment_qr is not None,
        text_layer=text_layer is not None,
        qr_only_because=prepared.rejected,
    )


def prepare_pdf(
    raw: bytes, reader: str, max_bytes: int, max_pixels: int
) -> tuple[imaging.PreparedImage, str | None, QRCodes]:
    """A PDF's first pages, one under the other, prepared like a photo; its text layer (None for a
    scan); and the QR codes on those pages. Raises PdfRejected or ImageRejected."""
    if len(raw) > max_bytes:  # the photo's byte limit, before PDFium sees a byte
        raise imaging.ImageRejected("too_large", f"{len(raw)} bytes")
    content = pdf.read_pdf(raw)
    pages = [
        np.frombuffer(page.pixels, np.uint8).reshape(page.height, page.stride)[:, : page.width]
        for page in content.pages
    ]
    width = max(page.shape[1] for page in pages)
    stacked = np.vstack(
        [np.pad(page, ((0, 0), (0, width - page.shape[1])), constant_values=255) for page in pages]
    )
    codes = find_qr_codes(stacked)
    png = cv2.imencode(".png", stacked, [cv2.IMWRITE_PNG_COMPRESSION, 1])[1].tobytes()
    prepared = imaging.prepare(png, reader=reader, max_bytes=len(png), max_pixels=max_pixels)
    text_layer = content.text[:MAX_TEXT_LAYER] if content.text else None
    return prepared, text_layer, codes


def show_typing(event: ReceiptUploaded) -> None:
    """ "typing…" in the chat while the receipt is read (after the webhook's 200, so it costs no ack time)."""
    try:
        bot().send_chat_action(event.chat_id)
    except TelegramError:
        pass  # a nicety, never a reason to fail
