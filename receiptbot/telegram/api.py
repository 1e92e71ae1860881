"""A small Telegram Bot API client: the few methods the bot uses, and its errors classified.

Error messages never carry the request URL: it embeds the bot token.
"""

from __future__ import annotations

import time
from typing import Any

import requests
from pydantic import SecretStr

from receiptbot.telegram.limits import MAX_TEXT_LENGTH as MAX_MESSAGE_LENGTH
MAX_CAPTION_LENGTH = 1024
MAX_INLINE_RETRY_AFTER = 5  # seconds we wait in-process for a 429; longer waits go back to Pub/Sub


class TelegramError(Exception):
    """The Bot API answered ``ok: false``."""

    def __init__(self, method: str, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(f"{method}: {error_code} {description}")
        self.method = method
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.error_code == 429 or self.error_code >= 500


class TelegramUnavailable(Exception):
    """The Bot API could not be reached (network error, timeout, non-JSON answer): transient."""


class FileTooLarge(Exception):
    pass


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
            except (requests.RequestException, ValueError):
                raise TelegramUnavailable(f"{method}: Telegram could not be reached") from None
            if body.get("ok"):
                return body.get("result")
            error = TelegramError(
                method,
                int(body.get("error_code", response.status_code)),
                str(body.get("description", "")),
                (body.get("parameters") or {}).get("retry_after"),
            )
            if attempt == 1 and error.retry_after is not None and error.retry_after <= MAX_INLINE_RETRY_AFTER:
                time.sleep(error.retry_after)
                continue
            raise error
        raise AssertionError("unreachable")

    def get_file_path(self, file_id: str) -> str:
        return self.call("getFile", file_id=file_id)["file_path"]

    def download(self, file_path: str, max_bytes: int) -> bytes:
        """Stream a file, stopping as soon as it passes ``max_bytes``."""
        try:
            with self._session.get(
                self._url(f"file/bot{self._token.get_secret_value()}/{file_path}"),
                stream=True,
                timeout=self._timeout,
            ) as response:
                if response.status_code >= 400:
                    raise TelegramError("download", response.status_code, "file download failed")
                chunks, size = [], 0
                for chunk in response.iter_content(chunk_size=256 * 1024):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(f"file is larger than {max_bytes} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except requests.RequestException:
            raise TelegramUnavailable("download: Telegram could not be reached") from None

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
        except TelegramError as exc:
            # Editing to the same text again is success: a redelivery must not fail on it.
            if "message is not modified" not in exc.description:
                raise

    def delete_message(self, chat_id: int, message_id: int) -> None:
        self.call("deleteMessage", chat_id=chat_id, message_id=message_id)

    def send_chat_action(self, chat_id: int, action: str = "typing") -> None:
        self.call("sendChatAction", chat_id=chat_id, action=action)

    def send_document(self, chat_id: int, filename: str, content: bytes, caption: str = "") -> dict:
        return self.call(
            "sendDocument",
            files={"document": (filename, content)},
            chat_id=chat_id,
            caption=caption[:MAX_CAPTION_LENGTH],
            parse_mode="HTML",
        )

    def answer_callback_query(self, callback_query_id: str, text: str = "") -> None:
        self.call("answerCallbackQuery", callback_query_id=callback_query_id, text=text)
