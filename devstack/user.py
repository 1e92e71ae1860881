"""A Telegram user, simulated: uploads a photo to the Bot API stand-in, POSTs the update that
Telegram would send to the webhook, and waits for the bot's answer in the stand-in's chat log."""

from __future__ import annotations

import html
import itertools
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import requests

from receiptbot.bot.albums import MAX_PARTS, status_text
from receiptbot.bot.texts import TEXTS


def plain(html_text: str) -> str:
    """What the user sees, for a terminal."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


# Texts that are not an answer yet: the bot is still working (on a photo, or on an album's).
INTERIM_TEXTS = {t for key in ("received", "temporary_failure") for t in TEXTS[key].values()} | {
    status_text(count, language) for count in range(1, MAX_PARTS + 1) for language in ("en", "ru")
}
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
    """A user in a chat: their private chat with the bot (``chat_id`` is their id), or a group
    (a negative ``chat_id``, as Telegram's are) where they are ``user_id``."""

    def __init__(
        self,
        webhook_url: str,
        telegram_url: str,
        secret: str,
        chat_id: int,
        language: str = "en",
        user_id: int | None = None,
    ):
        self.webhook_url = webhook_url
        self.telegram_url = telegram_url
        self.secret = secret
        self.chat_id = chat_id
        self.user_id = chat_id if user_id is None else user_id
        self.language = language
        self.session = requests.Session()

    @property
    def chat_object(self) -> dict[str, Any]:
        if self.chat_id > 0:
            return {"id": self.chat_id, "type": "private", "first_name": "Test"}
        return {"id": self.chat_id, "type": "group", "title": "Family budget"}

    def in_same_chat(self, user_id: int) -> TelegramUser:
        """Another member of this user's group."""
        return TelegramUser(
            self.webhook_url, self.telegram_url, self.secret, self.chat_id, self.language, user_id
        )

    def message(self, **content: Any) -> dict[str, Any]:
        return {
            "update_id": next(_update_ids),
            "message": {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": self.chat_object,
                "from": {
                    "id": self.user_id,
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

    def album_updates(self, photos: list[bytes]) -> list[dict[str, Any]]:
        """An album: a photo message per image, sharing one media_group_id, as Telegram sends them."""
        group = str(next(_update_ids) * 1000)
        updates = [self.photo_update(photo) for photo in photos]
        for update in updates:
            update["message"]["media_group_id"] = group
        return updates

    def send_album(self, photos: list[bytes]) -> list[Sent]:
        """Send an album: its updates all at once (Telegram sends them within about a second)."""
        updates = self.album_updates(photos)
        with ThreadPoolExecutor(len(updates)) as pool:
            return list(pool.map(self.post, updates))

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

    def say(self, words: str, reply_to: int | None = None) -> Sent:
        """A text message (a command, or an answer to the bot's question when ``reply_to`` names it)."""
        content: dict[str, Any] = {"text": words}
        if reply_to is not None:
            bot = {"id": 1, "is_bot": True, "first_name": "Receipt bot"}
            content["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": self.chat_object,
                "from": bot,
            }
        return self.post(self.message(**content))

    def press(self, message: dict[str, Any], label: str, user_id: int | None = None) -> Sent:
        """Press the button whose text contains ``label`` under the bot's ``message``; as another
        user when ``user_id`` is given."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        found = [b for row in rows for b in row if label in b["text"]]
        if not found:
            raise LookupError(f"no button {label!r} under message {message['message_id']}: {rows}")
        presser = self.user_id if user_id is None else user_id
        update = {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": f"q{next(_update_ids)}",
                "from": {
                    "id": presser,
                    "is_bot": False,
                    "first_name": "Test",
                    "language_code": self.language,
                },
                "message": {
                    "message_id": message["message_id"],
                    "date": int(time.time()),
                    "chat": self.chat_object,
                    "text": message["text"],
                },
                "chat_instance": "1",
                "data": found[0]["callback_data"],
            },
        }
        return self.post(update)

    def message_by_id(self, message_id: int) -> dict[str, Any]:
        return next(m for m in self.chat() if m["message_id"] == message_id)

    def chat(self) -> list[dict[str, Any]]:
        return self.session.get(f"{self.telegram_url}/_standin/chats/{self.chat_id}", timeout=10).json()

    def replies_to(self, message_id: int) -> list[dict[str, Any]]:
        return [m for m in self.chat() if m["reply_to"] == message_id]

    def wait_for_answer(self, message_id: int, timeout: float = 60) -> dict[str, Any]:
        """The bot's final message for this user message (the edited status message, usually)."""
        return self.wait_for_album([message_id], timeout)

    def wait_for_album(self, message_ids: list[int], timeout: float = 60) -> dict[str, Any]:
        """The bot's final message in answer to any of these user messages: an album's summary
        (its status message answers whichever photo joined the album first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = [m for m in self.chat() if m["reply_to"] in message_ids]
            final = [m for m in replies if m["text"] not in INTERIM_TEXTS]
            if final:
                return final[0]
            time.sleep(0.05)
        raise TimeoutError(f"no answer to messages {message_ids} within {timeout} s: {replies}")
