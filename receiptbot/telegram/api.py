"""A small synchronous Telegram Bot API client: the few methods the bot uses.

python-telegram-bot's names for the errors (``receiptbot.telegram.errors``), but not its asyncio
client: that is far heavier to import than the webhook's cold start allows. Error messages never
carry the request URL: it embeds the bot token.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import requests
from pydantic import SecretStr

from receiptbot.config import settings
from receiptbot.telegram.errors import (
    BadRequest,
    FileTooLarge,
    FileUnavailable,
    MessageNotModified,
    RetryAfter,
    TimedOut,
    Unavailable,
    from_response,
)
from receiptbot.telegram.limits import CAPTION_LENGTH, cut

MAX_INLINE_RETRY_AFTER = 5  # seconds we wait in-process for a 429; longer waits go back to Pub/Sub
DOWNLOAD_CHUNK_BYTES = 256 * 1024


class BotApi:
    def __init__(self, token: SecretStr, base_url: str = "https://api.telegram.org", timeout: float = 15):
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session = requests.Session()
        self._username: str | None = None

    def _url(self, path: str) -> str:
        return f"{self._base_url}/{path}"

    def call(self, method: str, files: dict | None = None, **params: Any) -> Any:
        """Call a method; a 429 with a short ``retry_after`` is waited out once, in-process."""
        for attempt in (1, 2):
            try:
                response = self._session.post(
                    self._url(f"bot{self._token.get_secret_value()}/{method}"),
                    data=params if files else None,
                    json=None if files else params,
                    files=files,
                    timeout=self._timeout,
                )
                body = response.json()
            except requests.Timeout:
                raise TimedOut(method, "Telegram did not answer in time") from None
            except (requests.RequestException, ValueError):
                raise Unavailable(method, "Telegram could not be reached") from None
            if not isinstance(body, dict):
                raise Unavailable(method, "Telegram's answer is not a Bot API response")
            if body.get("ok"):
                return body.get("result")
            error = from_response(method, response.status_code, body)
            if attempt == 1 and isinstance(error, RetryAfter) and error.retry_after <= MAX_INLINE_RETRY_AFTER:
                time.sleep(error.retry_after)
                continue
            raise error
        raise AssertionError("unreachable")

    def get_file_path(self, file_id: str) -> str:
        try:
            return self.call("getFile", file_id=file_id)["file_path"]
        except BadRequest as refused:  # a file id that is wrong or gone, a file over the download limit
            raise FileUnavailable("getFile", refused.description, refused.error_code) from refused

    @contextmanager
    def open_download(self, file_path: str, max_bytes: int) -> Iterator[CappedStream]:
        """The file as a stream to read (and upload) piece by piece, never whole in memory; reading
        past ``max_bytes`` raises ``FileTooLarge``, a broken download ``TimedOut``/``Unavailable``."""
        try:
            response = self._session.get(
                self._url(f"file/bot{self._token.get_secret_value()}/{file_path}"),
                stream=True,
                timeout=self._timeout,
            )
        except requests.Timeout:
            raise TimedOut("download", "Telegram did not answer in time") from None
        except requests.RequestException:
            raise Unavailable("download", "Telegram could not be reached") from None
        with response:  # what the caller's reading raises is its own (CappedStream names Telegram's)
            status = response.status_code
            if status == 429 or status >= 500:
                raise Unavailable("download", "file download failed", status)
            if status >= 400:
                raise FileUnavailable("download", "file download failed", status)
            yield CappedStream(response, max_bytes)

    def download(self, file_path: str, max_bytes: int) -> bytes:
        """The whole file (at most ``max_bytes``), for callers that need it in memory."""
        with self.open_download(file_path, max_bytes) as stream:
            return stream.read()

    def send_message(self, chat_id: int, text: str, reply_to: int | None = None, **extra: Any) -> dict:
        params: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML", **extra}
        if reply_to:
            params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        return self.call("sendMessage", **params)

    def edit_message_text(self, chat_id: int, message_id: int, text: str, **extra: Any) -> None:
        try:
            self.call(
                "editMessageText",
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                parse_mode="HTML",
                **extra,
            )
        except MessageNotModified:
            pass  # editing to the same text again is success: a redelivery must not fail on it

    def edit_reply_markup(self, chat_id: int, message_id: int, reply_markup: dict[str, Any]) -> None:
        try:
            self.call(
                "editMessageReplyMarkup", chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            )
        except MessageNotModified:
            pass  # a double tap shows the same buttons again: nothing to change

    def delete_message(self, chat_id: int, message_id: int) -> None:
        self.call("deleteMessage", chat_id=chat_id, message_id=message_id)

    def send_chat_action(self, chat_id: int, action: str = "typing") -> None:
        self.call("sendChatAction", chat_id=chat_id, action=action)

    def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str = "", reply_to: int | None = None
    ) -> dict:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": cut(caption, CAPTION_LENGTH),
            "parse_mode": "HTML",
        }
        if reply_to:  # a multipart form carries the object as JSON text
            params["reply_parameters"] = json.dumps(
                {"message_id": reply_to, "allow_sending_without_reply": True}
            )
        return self.call("sendDocument", files={"document": (filename, content)}, **params)

    def member_status(self, chat_id: int, user_id: int) -> str:
        """The user's status in the chat: "creator", "administrator", "member", "restricted",
        "left" or "kicked"."""
        return str(self.call("getChatMember", chat_id=chat_id, user_id=user_id).get("status", ""))

    def username(self) -> str:
        """The bot's own @username (getMe, asked once per instance)."""
        if self._username is None:
            self._username = str(self.call("getMe").get("username", ""))
        return self._username

    def answer_callback_query(self, callback_query_id: str, text: str = "", show_alert: bool = False) -> None:
        self.call(
            "answerCallbackQuery", callback_query_id=callback_query_id, text=text, show_alert=show_alert
        )


class CappedStream(io.RawIOBase):
    """A download's body as a read-only file object (what an upload reads from), at most
    ``max_bytes`` long. ``tell`` is the bytes read so far, as a resumable upload asks for it."""

    def __init__(self, response: requests.Response, max_bytes: int) -> None:
        self._body = response.iter_content(chunk_size=DOWNLOAD_CHUNK_BYTES)
        self._pending = b""
        self._max_bytes = max_bytes
        self._read = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._read

    def read(self, size: int | None = -1) -> bytes:
        want = self._max_bytes + 1 if size is None or size < 0 else size
        try:
            while len(self._pending) < want:
                self._pending += next(self._body)
        except StopIteration:
            pass
        except requests.Timeout:
            raise TimedOut("download", "Telegram did not answer in time") from None
        except requests.RequestException:
            raise Unavailable("download", "Telegram could not be reached") from None
        data, self._pending = self._pending[:want], self._pending[want:]
        self._read += len(data)
        if self._read > self._max_bytes:
            raise FileTooLarge("download", f"file is larger than {self._max_bytes} bytes")
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@lru_cache(maxsize=1)
def bot() -> BotApi:
    """This instance's client (one connection pool), configured from the settings."""
    s = settings()
    return BotApi(s.telegram_token, s.telegram_api_url)
