"""The parts of Telegram's updates the bot reads, as small typed models (python-telegram-bot's names).

Updates come from outside and may have any shape. Unknown fields are ignored, fields the bot can do
without are optional, and types are strict (no "1" for 1, no true for 1): an update that does not
fit does not validate, and the webhook ignores it (200), never a 500 that Telegram would re-send
again and again.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TelegramObject(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True, populate_by_name=True)


class User(TelegramObject):
    id: int | None = None
    language_code: str | None = None


class Chat(TelegramObject):
    id: int
    type: str | None = None  # "private", "group", "supergroup", "channel"

    @property
    def is_group(self) -> bool:
        """Several people share it: receipts and deletes are per sender there."""
        return self.type in ("group", "supergroup")


class PhotoSize(TelegramObject):
    file_id: str | None = None
    file_unique_id: str | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None


class Document(TelegramObject):
    file_id: str | None = None
    file_unique_id: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


class Message(TelegramObject):
    message_id: int
    chat: Chat
    date: int | None = None  # unix seconds
    from_user: User | None = Field(default=None, alias="from")
    text: str | None = None
    reply_to_message: Message | None = None  # the message this one answers (a ForceReply prompt)
    photo: list[PhotoSize] | None = None
    document: Document | None = None
    media_group_id: str | None = None  # the photos of one album share it
    # Set on the service message a group gets when it becomes a supergroup (a new chat id).
    migrate_to_chat_id: int | None = None


class CallbackQuery(TelegramObject):
    id: str
    from_user: User | None = Field(default=None, alias="from")
    message: Message | None = None
    data: str | None = None


class Update(TelegramObject):
    update_id: int
    message: Message | None = None
    callback_query: CallbackQuery | None = None
