"""The Bot API's limits, named once (as python-telegram-bot's `telegram.constants` names them)."""

MAX_TEXT_LENGTH = 4096  # MessageLimit.MAX_TEXT_LENGTH: characters of a message, after entity parsing
CAPTION_LENGTH = 1024  # MessageLimit.CAPTION_LENGTH
CALLBACK_DATA_LENGTH = 64  # InlineKeyboardButtonLimit.MAX_CALLBACK_DATA: bytes
FILESIZE_DOWNLOAD = 20_000_000  # FileSizeLimit.FILESIZE_DOWNLOAD: bytes getFile lets a bot download
