"""The Bot API's limits, named once (as python-telegram-bot's `telegram.constants` names them).

Telegram measures text in UTF-16 code units (an emoji outside the BMP counts two), so lengths
checked against these limits are measured with ``length`` and cut with ``cut``.
"""

MAX_TEXT_LENGTH = 4096  # MessageLimit.MAX_TEXT_LENGTH: characters of a message, after entity parsing
CAPTION_LENGTH = 1024  # MessageLimit.CAPTION_LENGTH
CALLBACK_DATA_LENGTH = 64  # InlineKeyboardButtonLimit.MAX_CALLBACK_DATA: bytes
FILESIZE_DOWNLOAD = 20_000_000  # FileSizeLimit.FILESIZE_DOWNLOAD: bytes getFile lets a bot download


def length(text: str) -> int:
    """The text's length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 code units, never half a character."""
    if length(text) <= limit:
        return text
    return text.encode("utf-16-le")[: 2 * limit].decode("utf-16-le", errors="ignore")
