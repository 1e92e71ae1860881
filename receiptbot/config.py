"""Every setting the functions read, in one place.

Values come from the environment (Secret Manager mounts the secrets as variables in the cloud).
Each field names its variable as its alias; Python code uses the field names. An empty variable
counts as unset. A bad value is refused when the settings are first read, which every step does
at import: the instance stops at cold start and the message names the variable, never its value.
Secrets are kept as ``SecretStr`` so they never show up in a repr or a log line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Field,
    PositiveFloat,
    PositiveInt,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from receiptbot.telegram.limits import FILESIZE_DOWNLOAD

Engine = Literal["auto", "gemini", "tesseract"]
TRUE = ("1", "true", "yes")
FALSE = ("0", "false", "no")


class InvalidSettings(ValueError):
    """A variable holds a value the functions cannot run with."""


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _flag(value: Any) -> Any:
    """The truthy values the variable has always had; a value that is neither is refused."""
    value = _lower(value)
    if value in TRUE or value in FALSE:
        return value in TRUE
    if isinstance(value, str):
        raise ValueError(f"use one of {', '.join(TRUE + FALSE)}")
    return value


def _chat_ids(value: Any) -> Any:
    """Chat ids as in "1,-100200;3" (commas or semicolons, blanks skipped); pydantic checks each."""
    if not isinstance(value, str):
        return value
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _no_trailing_slash(value: Any) -> Any:
    return value.rstrip("/") if isinstance(value, str) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=True,  # the variables' names exactly, as os.environ spells them
        env_ignore_empty=True,
        hide_input_in_errors=True,  # a ValidationError never repeats a value, a secret included
        frozen=True,
    )

    project: str = Field(
        "local-project",
        validation_alias=AliasChoices("GOOGLE_CLOUD_PROJECT", "GCP_PROJECT"),
        serialization_alias="GOOGLE_CLOUD_PROJECT",
    )
    raw_bucket: str = Field("receipts-raw", alias="RAW_BUCKET")
    work_bucket: str = Field("receipts-work", alias="WORK_BUCKET")
    # The topics of infra/pipeline.json that webhook and preprocess publish to.
    topic_uploaded: str = Field("receipts-uploaded", alias="TOPIC_UPLOADED")
    topic_preprocessed: str = Field("receipts-preprocessed", alias="TOPIC_PREPROCESSED")
    topic_exports: str = Field("exports-requested", alias="TOPIC_EXPORTS")
    # The Firestore database of the receipt records ("(default)" is what the emulator serves).
    firestore_database: str = Field("(default)", alias="FIRESTORE_DATABASE")

    telegram_token: SecretStr = Field(SecretStr(""), alias="TELEGRAM_BOT_TOKEN")
    webhook_secret: SecretStr = Field(SecretStr(""), alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_api_url: Annotated[str, BeforeValidator(_no_trailing_slash)] = Field(
        "https://api.telegram.org", alias="TELEGRAM_API_URL"
    )

    # Gemini: an API key, or Vertex AI (project + location, no key). Neither: offline OCR.
    gemini_api_key: SecretStr = Field(SecretStr(""), alias="GEMINI_API_KEY")
    use_vertex_ai: Annotated[bool, BeforeValidator(_flag)] = Field(False, alias="GOOGLE_GENAI_USE_VERTEXAI")
    vertex_location: str = Field("us-central1", alias="GOOGLE_CLOUD_LOCATION")
    gemini_model: str = Field("gemini-2.5-flash", alias="GEMINI_MODEL")
    gemini_base_url: str = Field("", alias="GEMINI_BASE_URL")  # only for the local stand-in
    gemini_timeout_seconds: PositiveInt = Field(60, alias="GEMINI_TIMEOUT_SECONDS")
    engine: Annotated[Engine, BeforeValidator(_lower)] = Field("auto", alias="EXTRACT_ENGINE")
    # Gemini failing on a receipt's last delivery attempt: answer from the offline reading, when the
    # runtime has one, instead of dead-lettering the receipt.
    offline_fallback: Annotated[bool, BeforeValidator(_flag)] = Field(True, alias="OFFLINE_FALLBACK")

    max_upload_bytes: PositiveInt = Field(FILESIZE_DOWNLOAD, alias="MAX_UPLOAD_BYTES")
    max_body_bytes: PositiveInt = Field(2**20, alias="MAX_BODY_BYTES")  # 1 MiB; an update is a few KB
    max_pixels: PositiveInt = Field(60_000_000, alias="MAX_PIXELS")
    allowed_chat_ids: Annotated[frozenset[int], NoDecode, BeforeValidator(_chat_ids)] = Field(
        frozenset(), alias="ALLOWED_CHAT_IDS"
    )
    rate_limit_count: PositiveInt = Field(20, alias="RATE_LIMIT_COUNT")
    rate_limit_window_seconds: PositiveInt = Field(600, alias="RATE_LIMIT_WINDOW_SECONDS")
    # The cost caps (bot/ratelimit.py), receipts per UTC day: of one sender in any chat, of one chat
    # whoever sends, and of the whole bot (about 2,500 Gemini tokens each, see the README).
    user_daily_receipts: PositiveInt = Field(100, alias="USER_DAILY_RECEIPTS")
    chat_daily_receipts: PositiveInt = Field(300, alias="CHAT_DAILY_RECEIPTS")
    global_daily_receipts: PositiveInt = Field(10_000, alias="GLOBAL_DAILY_RECEIPTS")
    # Older than this, a claim was left by a crashed instance: above extract's 120 s timeout (the
    # longest a holder can live), and well inside the redelivery window of 7 attempts (~10 min).
    claim_timeout_seconds: PositiveInt = Field(150, alias="CLAIM_TIMEOUT_SECONDS")
    # An album's photos come as separate updates with no end marker, within about a second: its
    # summary waits this long after the last photo joined (bot/albums.py).
    album_wait_seconds: PositiveFloat = Field(3.0, alias="ALBUM_WAIT_SECONDS")
    raw_retention_days: PositiveInt = Field(30, alias="RAW_RETENTION_DAYS")
    failed_retention_days: PositiveInt = Field(30, alias="FAILED_RETENTION_DAYS")  # /help says it too

    @model_validator(mode="before")
    @classmethod
    def _fields_by_name(cls, values: Any) -> Any:
        """Settings(engine="gemini") in Python, EXTRACT_ENGINE in the environment. (pydantic's
        validate_by_name would do this, but would also read a variable named `engine`.)"""
        if not isinstance(values, dict):
            return values
        names = {name: field.serialization_alias or field.alias for name, field in cls.model_fields.items()}
        return {names.get(key, key): value for key, value in values.items()}

    @property
    def gemini_enabled(self) -> bool:
        if self.engine == "tesseract":
            return False
        return self.engine == "gemini" or bool(self.gemini_api_key.get_secret_value()) or self.use_vertex_ai


def load_settings() -> Settings:
    """The settings from the environment; InvalidSettings names every variable that is wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{error['loc'][0]}: {error['msg']}" for error in exc.errors())
        raise InvalidSettings(f"invalid settings in the environment: {problems}") from None


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this instance, read once."""
    return load_settings()
