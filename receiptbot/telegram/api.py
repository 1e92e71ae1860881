"""A small synchronous Telegram Bot API client: the few methods the bot uses.

python-telegram-bot's names for the errors (``receiptbot.telegram.errors``), but not its asyncio
client: that is far heavier to import than the webhook's cold start allows. Error messages never
carry the request URL: it embeds the bot token.
"""

from __future__ import annotations

import json
import time
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
from receiptbot.telegram.limits import CAPTION_LENGTH

MAX_INLINE_RETRY_AFTER = 5  # seconds we wait in-process for a 429; longer waits go back to Pub/Sub


class BotApi:
    def __init__(self, token: SecretStr, base_url: str = "https://api.telegram.org", timeout: float = 15):
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session = requests.Session()

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

    def download(self, file_path: str, max_bytes: int) -> bytes:
        """Stream a file, stopping as soon as it passes ``max_bytes``."""
        try:
            with self._session.get(
                self._url(f"file/bot{self._token.get_secret_value()}/{file_path}"),
                stream=True,
                timeout=self._timeout,
            ) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise Unavailable("download", "file download failed", status)
                if status >= 400:
                    raise FileUnavailable("download", "file download failed", status)
                chunks, size = [], 0
                for chunk in response.iter_content(chunk_size=256 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge("download", f"file is larger than {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.Timeout:
            raise TimedOut("download", "Telegram did not answer in time") from None
        except requests.RequestException:
            raise Unavailable("download", "Telegram could not be reached") from None

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
            "caption": caption[:CAPTION_LENGTH],
            "parse_mode": "HTML",
        }
        if reply_to:  # a multipart form carries the object as JSON text
            params["reply_parameters"] = json.dumps(
                {"message_id": reply_to, "allow_sending_without_reply": True}
            )
        return self.call("sendDocument", files={"document": (filename, content)}, **params)

    def answer_callback_query(self, callback_query_id: str, text: str = "", show_alert: bool = False) -> None:
        self.call(
            "answerCallbackQuery", callback_query_id=callback_query_id, text=text, show_alert=show_alert
        )


@lru_cache(maxsize=1)
def bot() -> BotApi:
    """This instance's client (one connection pool), configured from the settings."""
    s = settings()
    return BotApi(s.telegram_token, s.telegram_api_url)
