"""Inline buttons whose callback data says what they do, to what, for whom, and until when.

Data is ``<action>:<target>:<expiry>:<signature>``, within Telegram's 64 bytes. The signature is an
HMAC over the action, target, expiry and the id of the user the button was shown to, keyed from
the bot token (every function that sends buttons has it): a press by anyone else, an old button
or forged data fails ``verify``, and the bot answers with an alert instead of acting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from receiptbot.config import settings
from receiptbot.telegram.limits import CALLBACK_DATA_LENGTH

CARD_LIFETIME_SECONDS = 90 * 24 * 3600  # a receipt is fixed or recategorised weeks later, too
CONFIRM_LIFETIME_SECONDS = 10 * 60  # "delete everything?" is answered now or not at all
SIGNATURE_LENGTH = 10  # characters of base64: 60 bits, enough against guessing within the expiry


@dataclass(frozen=True)
class Press:
    action: str
    target: str


class Refused(Exception):
    """The press is not for this user, too old, or not ours; the message is the text key."""


def _key() -> bytes:
    token = settings().telegram_token.get_secret_value()
    return hmac.new(token.encode(), b"receiptbot callback buttons", hashlib.sha256).digest()


def _signature(action: str, target: str, expiry: str, user_id: int) -> str:
    message = f"{action}:{target}:{expiry}:{user_id}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:SIGNATURE_LENGTH]


def data(action: str, target: str, user_id: int, lifetime: int = CARD_LIFETIME_SECONDS) -> str:
    expiry = _base36(int(time.time()) + lifetime)
    value = f"{action}:{target}:{expiry}:{_signature(action, target, expiry, user_id)}"
    if len(value.encode()) > CALLBACK_DATA_LENGTH:
        raise ValueError(f"callback data of {len(value.encode())} bytes: {action} {target}")
    return value


def button(label: str, action: str, target: str, user_id: int, lifetime: int = CARD_LIFETIME_SECONDS) -> dict:
    return {"text": label, "callback_data": data(action, target, user_id, lifetime)}


def keyboard(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"inline_keyboard": [row for row in rows if row]}


def verify(value: str | None, user_id: int | None) -> Press:
    """The press, if this user may make it now; else ``Refused`` with the text key to show."""
    parts = (value or "").split(":")
    if len(parts) != 4 or user_id is None:
        raise Refused("button_unknown")
    action, target, expiry, signature = parts
    if not hmac.compare_digest(signature, _signature(action, target, expiry, user_id)):
        raise Refused("button_not_yours")
    try:
        expired = int(expiry, 36) < time.time()
    except ValueError:
        raise Refused("button_unknown") from None
    if expired:
        raise Refused("button_expired")
    return Press(action, target)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"
