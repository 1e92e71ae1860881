"""A Telegram user, simulated: uploads a photo to the Bot API stand-in, POSTs the update that
Telegram would send to the webhook, and waits for the bot's answer in the stand-in's chat log."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import requests

from receiptbot.bot.texts import TEXTS

# Texts that are not an answer yet: the bot is still working.
INTERIM_TEXTS = {t for key in ("received", "temporary_failure") for t in TEXTS[key].values()}
# Ids that do not repeat across runs against one long-lived `make dev` stack.
_update_ids = itertools.count(int(time.time() * 1000) % 10**9)
_message_ids = itertools.count(int(time.time() * 1000) % 10**9)


@dataclass
class Sent:
    update: dict[str, Any]
    status: int
    posted_at: float
    acked_at: float

    @property
    def message_id(self) -> int:
        return self.update["message"]["message_id"]


class TelegramUser:
    def __init__(self, webhook_url: str, telegram_url: str, secret: str, chat_id: int, language: str = "en"):
        self.webhook_url = webhook_url
        self.telegram_url = telegram_url
        self.secret = secret
        self.chat_id = chat_id
        self.language = language
        self.session = requests.Session()

    def message(self, **content: Any) -> dict[str, Any]:
        return {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": self.chat_id, "type": "private", "first_name": "Test"},
                "from": {
                    "id": self.chat_id,
                    "is_bot": False,
                    "first_name": "Test",
                    "language_code": self.language,
                },
                **content,
            },
        }

    def upload(self, data: bytes) -> str:
        return self.session.post(f"{self.telegram_url}/_standin/files", data=data, timeout=30).json()[
            "file_id"
        ]

    def photo_update(self, data: bytes) -> dict[str, Any]:
        file_id = self.upload(data)
        # Telegram sends several sizes of a photo; the webhook must pick the largest.
        thumb = self.upload(data[:1000])
        return self.message(
            photo=[
                {"file_id": thumb, "file_unique_id": thumb, "width": 90, "height": 67, "file_size": 1000},
                {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "width": 1280,
                    "height": 960,
                    "file_size": len(data),
                },
            ]
        )

    def document_update(
        self, data: bytes, mime_type: str = "image/jpeg", file_name: str = "receipt.jpg"
    ) -> dict:
        file_id = self.upload(data)
        return self.message(
            document={
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(data),
            }
        )

    def post(self, update: dict[str, Any], secret: str | None = None) -> Sent:
        started = time.monotonic()
        response = self.session.post(
            self.webhook_url,
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": self.secret if secret is None else secret},
            timeout=60,
        )
        return Sent(update, response.status_code, started, time.monotonic())

    def send_photo(self, data: bytes) -> Sent:
        return self.post(self.photo_update(data))

    def chat(self) -> list[dict[str, Any]]:
        return self.session.get(f"{self.telegram_url}/_standin/chats/{self.chat_id}", timeout=10).json()

    def replies_to(self, message_id: int) -> list[dict[str, Any]]:
        return [m for m in self.chat() if m["reply_to"] == message_id]

    def wait_for_answer(self, message_id: int, timeout: float = 60) -> dict[str, Any]:
        """The bot's final message for this user message (the edited status message, usually)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            final = [m for m in self.replies_to(message_id) if m["text"] not in INTERIM_TEXTS]
            if final:
                return final[0]
            time.sleep(0.05)
        raise TimeoutError(
            f"no answer to message {message_id} within {timeout} s: {self.replies_to(message_id)}"
        )
