"""The one final answer per receipt.

Whoever gives the final answer (extract's card, preprocess's "retake the photo", the
dead-letter notice) first takes the receipt's answer claim, so a user never gets two.
"""

from __future__ import annotations

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


def deliver(bot: BotApi, event: ReceiptUploaded, html: str, **extra: Any) -> int | None:
    """Turn the "reading your receipt…" message into the answer, or send a new one if it is gone.
    The answer's message id; None when it could not be delivered for good."""
    if event.status_message_id:
        try:
            bot.edit_message_text(event.chat_id, event.status_message_id, html, **extra)
            return event.status_message_id
        except faults.Permanent:
            pass  # the status message is gone or cannot be edited: a new message instead
    try:
        return bot.send_message(event.chat_id, html, reply_to=event.message_id, **extra)["message_id"]
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


def answer_once(bot: BotApi, event: ReceiptUploaded, html: str) -> bool:
    """Claim, deliver and mark done. False when the receipt already had its answer."""
    claim = take_answer_claim(event)
    if claim is None:
        return False
    try:
        deliver(bot, event, html)
    except Exception:
        claim.release()
        raise
    claim.complete()
    return True
