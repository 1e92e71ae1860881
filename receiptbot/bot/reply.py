"""The one final answer per receipt.

Whoever gives the final answer (extract's card, preprocess's "retake the photo", the
dead-letter notice) first takes the receipt's answer claim, so a user never gets two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.cloud import claims
from receiptbot.config import settings
from receiptbot.contract import ReceiptUploaded
from receiptbot.telegram.api import BotApi
from receiptbot.telegram.errors import TelegramError


def take_answer_claim(event: ReceiptUploaded) -> claims.Claim | None:
    """The claim, or None when the receipt was already answered.

    Raises ``faults.Busy`` while another instance holds the claim: Pub/Sub delivers the event again
    later, and by then the claim is settled (answered, released, or stale and taken over).
    """
    s = settings()
    state, claim = claims.claim(
        s.work_bucket, layout.claim("answer", event.receipt_id), s.claim_timeout_seconds
    )
    if state is claims.ClaimState.BUSY:
        log.info("busy: another instance is answering this receipt, retry later", receipt_id=event.receipt_id)
        raise faults.Busy(f"receipt {event.receipt_id} is being answered by another instance")
    return claim


def already_answered(event: ReceiptUploaded) -> bool:
    return claims.is_done(settings().work_bucket, layout.claim("answer", event.receipt_id))


# Telegram notifies the user of a new message, never of an edit. A normal answer comes within
# seconds, while the user still looks at the chat; one that comes later than this (redeliveries
# after a fault, a replay) is sent as a new message, so that it is not missed.
LATE_ANSWER_SECONDS = 60


def is_late(event: ReceiptUploaded, now: float | None = None) -> bool:
    """True when the receipt was sent long enough ago that its user has likely left the chat."""
    now = time.time() if now is None else now
    return event.sent_at is not None and now - event.sent_at > LATE_ANSWER_SECONDS


def deliver(bot: BotApi, event: ReceiptUploaded, html: str, notify: bool = False, **extra: Any) -> int | None:
    """Turn the "reading your receipt…" message into the answer, or send a new one if it is gone.

    With ``notify`` (a failure after every retry) or a late answer, the answer is a new message
    (which notifies) and the status message is withdrawn. The answer's message id; None when it
    could not be delivered for good."""
    notify = notify or is_late(event)
    if event.status_message_id and not notify:
        try:
            bot.edit_message_text(event.chat_id, event.status_message_id, html, **extra)
            return event.status_message_id
        except faults.Permanent:
            pass  # the status message is gone or cannot be edited: a new message instead
    try:
        sent = bot.send_message(event.chat_id, html, reply_to=event.message_id, **extra)["message_id"]
    except faults.Transient:
        raise
    except TelegramError as exc:
        # The user blocked the bot, or Telegram refuses this text for good: redelivering the event
        # (and, after the last attempt, the dead-letter handler's retrying forever) cannot help.
        log.error(
            "answer could not be delivered",
            receipt_id=event.receipt_id,
            error=exc.error_code,
            description=exc.description,
        )
        return None
    if notify:
        withdraw_status(bot, event)
    return sent


def withdraw_status(bot: BotApi, event: ReceiptUploaded) -> None:
    """Delete the "reading your receipt…" message (the answer went out as a new one, or there is
    none to give). Best effort: a failure here must not make Pub/Sub deliver the receipt again."""
    if event.status_message_id is None:
        return
    try:
        bot.delete_message(event.chat_id, event.status_message_id)
    except TelegramError:
        log.info("status message left in place", receipt_id=event.receipt_id)


def answer_once(bot: BotApi, event: ReceiptUploaded, html: str, notify: bool = False) -> int | None:
    """Claim, deliver and mark done. The answer's message id; None when the receipt already had
    its answer (or the answer could not be delivered for good)."""
    return once(event, lambda: deliver(bot, event, html, notify=notify))


def once(event: ReceiptUploaded, answer: Callable[[], int | None]) -> int | None:
    """Run ``answer`` under the receipt's answer claim: done when it returns, released when it
    raises (Pub/Sub delivers the event again). What it returns; None when already answered."""
    claim = take_answer_claim(event)
    if claim is None:
        return None
    try:
        answer_id = answer()
    except Exception:
        claim.release()
        raise
    claim.complete()
    return answer_id
