"""Every setting the functions read, in one place.

Values come from the environment (Secret Manager mounts them as variables in the cloud).
Secrets are kept as ``SecretStr`` so they never show up in a repr or a log line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import SecretStr

MIB = 1024 * 1024


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _chat_ids(raw: str) -> frozenset[int]:
    return frozenset(int(part) for part in raw.replace(";", ",").split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    project: str = "local-project"
    raw_bucket: str = "receipts-raw"
    work_bucket: str = "receipts-work"
    results_bucket: str = "receipts-results"
    topic_uploaded: str = "receipts-uploaded"
    topic_preprocessed: str = "receipts-preprocessed"

    telegram_token: SecretStr = field(default_factory=lambda: SecretStr(""))
    webhook_secret: SecretStr = field(default_factory=lambda: SecretStr(""))
    telegram_api_url: str = "https://api.telegram.org"

    # Gemini: an API key, or Vertex AI (project + location, no key). Neither: offline OCR.
    gemini_api_key: SecretStr = field(default_factory=lambda: SecretStr(""))
    use_vertex_ai: bool = False
    vertex_location: str = "us-central1"
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str = ""  # only for the local stand-in
    gemini_timeout_seconds: int = 60
    engine: str = "auto"  # auto | gemini | tesseract

    max_upload_bytes: int = 20 * MIB  # the Bot API's getFile limit
    max_body_bytes: int = 1 * MIB  # a Telegram update is a few KB
    max_pixels: int = 60_000_000
    allowed_chat_ids: frozenset[int] = frozenset()
    rate_limit_count: int = 20
    rate_limit_window_seconds: int = 600
    # Older than this, a claim was left by a crashed instance: above extract's 120 s timeout (the
    # longest a holder can live), and well inside the redelivery window of 7 attempts (~10 min).
    claim_timeout_seconds: int = 150
    raw_retention_days: int = 30

    @property
    def gemini_enabled(self) -> bool:
        if self.engine == "tesseract":
            return False
        return self.engine == "gemini" or bool(self.gemini_api_key.get_secret_value()) or self.use_vertex_ai


def load_settings() -> Settings:
    env = os.environ
    project = env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCP_PROJECT") or "local-project"
    return Settings(
        project=project,
        raw_bucket=env.get("RAW_BUCKET", "receipts-raw"),
        work_bucket=env.get("WORK_BUCKET", "receipts-work"),
        results_bucket=env.get("RESULTS_BUCKET", "receipts-results"),
        topic_uploaded=env.get("TOPIC_UPLOADED", "receipts-uploaded"),
        topic_preprocessed=env.get("TOPIC_PREPROCESSED", "receipts-preprocessed"),
        telegram_token=SecretStr(env.get("TELEGRAM_BOT_TOKEN", "")),
        webhook_secret=SecretStr(env.get("TELEGRAM_WEBHOOK_SECRET", "")),
        telegram_api_url=env.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
        gemini_api_key=SecretStr(env.get("GEMINI_API_KEY", "")),
        use_vertex_ai=env.get("GOOGLE_GENAI_USE_VERTEXAI", "").lower() in ("1", "true", "yes"),
        vertex_location=env.get("GOOGLE_CLOUD_LOCATION", "us-central1"),
        gemini_model=env.get("GEMINI_MODEL", "gemini-2.5-flash"),
        gemini_base_url=env.get("GEMINI_BASE_URL", ""),
        gemini_timeout_seconds=_int("GEMINI_TIMEOUT_SECONDS", 60),
        engine=env.get("EXTRACT_ENGINE", "auto").lower(),
        max_upload_bytes=_int("MAX_UPLOAD_BYTES", 20 * MIB),
        max_body_bytes=_int("MAX_BODY_BYTES", 1 * MIB),
        max_pixels=_int("MAX_PIXELS", 60_000_000),
        allowed_chat_ids=_chat_ids(env.get("ALLOWED_CHAT_IDS", "")),
        rate_limit_count=_int("RATE_LIMIT_COUNT", 20),
        rate_limit_window_seconds=_int("RATE_LIMIT_WINDOW_SECONDS", 600),
        claim_timeout_seconds=_int("CLAIM_TIMEOUT_SECONDS", 150),
        raw_retention_days=_int("RAW_RETENTION_DAYS", 30),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The settings of this instance, read once."""
    return load_settings()
