"""The Bot API's errors, with python-telegram-bot's names and meanings, in one hierarchy.

    TelegramError
    ├── NetworkError                 the request did not get through, or Telegram failed it
    │   ├── Unavailable              not reached, no JSON answer, a 5xx, a 429 without retry_after
    │   ├── TimedOut                 no answer in time
    │   └── BadRequest               400 (and any other refusal of the request itself)
    │       └── MessageNotModified   an edit to the text the message already shows
    ├── Forbidden                    403: the user blocked the bot, the bot left the chat
    ├── InvalidToken                 401, 404: the token is wrong
    ├── RetryAfter                   flood control: ``parameters.retry_after`` seconds
    ├── ChatMigrated                 the group is a supergroup now: ``parameters.migrate_to_chat_id``
    ├── FileUnavailable              getFile or the download refused this file
    └── FileTooLarge                 the download passed the size we accept

Each raised error is also one of the retry contract's kinds (``receiptbot.faults``): a
``Transient`` one (Unavailable, TimedOut, RetryAfter) is worth retrying, every other is
``Permanent``. Callers catch ``faults.Transient`` or ``faults.Permanent``, or a class by name.

Messages name the method and Telegram's answer, never the request URL: it holds the bot token.
"""

from __future__ import annotations

from typing import Any

from receiptbot import faults

NOT_MODIFIED = "message is not modified"  # in the description of the 400 that MessageNotModified is


class TelegramError(Exception):
    """A Bot API call failed. ``error_code`` is Telegram's (or the HTTP status), None without an answer."""

    def __init__(self, method: str, description: str, error_code: int | None = None) -> None:
        super().__init__(
            f"{method}: {error_code} {description}" if error_code else f"{method}: {description}"
        )
        self.method = method
        self.description = description
        self.error_code = error_code


class NetworkError(TelegramError):
    pass


class Unavailable(NetworkError, faults.Transient):
    pass


class TimedOut(NetworkError, faults.Transient):
    pass


class BadRequest(NetworkError, faults.Permanent):
    pass


class MessageNotModified(BadRequest):
    pass


class Forbidden(TelegramError, faults.Permanent):
    pass


class InvalidToken(TelegramError, faults.Permanent):
    pass


class RetryAfter(TelegramError, faults.Transient):
    def __init__(self, method: str, description: str, retry_after: int, error_code: int = 429) -> None:
        super().__init__(method, description, error_code)
        self.retry_after = retry_after


class ChatMigrated(TelegramError, faults.Permanent):
    def __init__(self, method: str, description: str, new_chat_id: int, error_code: int = 400) -> None:
        super().__init__(method, description, error_code)
        self.new_chat_id = new_chat_id


class FileUnavailable(TelegramError, faults.Permanent):
    pass


class FileTooLarge(TelegramError, faults.Permanent):
    pass


def from_response(method: str, http_status: int, body: dict[str, Any]) -> TelegramError:
    """The error an ``ok: false`` answer stands for, told apart as python-telegram-bot's
    ``telegram/request/_baserequest.py`` does: the response parameters first, then the code."""
    code = body.get("error_code")
    code = code if isinstance(code, int) else http_status
    description = str(body.get("description") or "Unknown HTTPError")
    parameters = body.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    new_chat_id = parameters.get("migrate_to_chat_id")
    if isinstance(new_chat_id, int):
        return ChatMigrated(method, description, new_chat_id, code)
    retry_after = parameters.get("retry_after")
    if isinstance(retry_after, int):
        return RetryAfter(method, description, retry_after, code)
    if code == 403:
        return Forbidden(method, description, code)
    if code in (401, 404):
        return InvalidToken(method, description, code)
    if code == 429 or code >= 500:
        return Unavailable(method, description, code)
    if NOT_MODIFIED in description:
        return MessageNotModified(method, description, code)
    # 400, and the few other refusals (409, 413, …): the request itself is wrong, a retry is refused again.
    return BadRequest(method, description, code)
