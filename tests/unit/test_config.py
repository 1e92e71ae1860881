"""The settings: each variable's name and default, the fallbacks, and bad values refused at
import with a message that names the variable and never repeats a value."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from importlib.util import find_spec

import pytest
from pydantic import AliasChoices, SecretStr

from devstack.stack import PIPELINE
from receiptbot.config import InvalidSettings, Settings, load_settings, settings
from receiptbot.telegram.limits import FILESIZE_DOWNLOAD

SECRET = "123456:SECRET-never-printed"


def variables() -> set[str]:
    names: set[str] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names |= set(alias.choices) if isinstance(alias, AliasChoices) else {field.alias}
    return names


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No variable of this machine reaches a test, and settings() reads each test's own."""
    for name in variables():
        monkeypatch.delenv(name, raising=False)
    settings.cache_clear()
    yield
    settings.cache_clear()


def test_the_defaults() -> None:
    assert load_settings().model_dump() == {
        "project": "local-project",
        "raw_bucket": "receipts-raw",
        "work_bucket": "receipts-work",
        "topic_uploaded": "receipts-uploaded",
        "topic_preprocessed": "receipts-preprocessed",
        "topic_exports": "exports-requested",
        "firestore_database": "(default)",
        "telegram_token": SecretStr(""),
        "webhook_secret": SecretStr(""),
        "telegram_api_url": "https://api.telegram.org",
        "gemini_api_key": SecretStr(""),
        "use_vertex_ai": False,
        "vertex_location": "us-central1",
        "gemini_model": "gemini-2.5-flash",
        "gemini_base_url": "",
        "gemini_timeout_seconds": 60,
        "engine": "auto",
        "offline_fallback": True,
        "max_upload_bytes": FILESIZE_DOWNLOAD,  # the Bot API's getFile limit, 20 MB
        "max_body_bytes": 1024 * 1024,
        "max_pixels": 60_000_000,
        "allowed_chat_ids": frozenset(),
        "rate_limit_count": 20,
        "rate_limit_window_seconds": 600,
        "user_daily_receipts": 100,
        "chat_daily_receipts": 300,
        "global_daily_receipts": 10_000,
        "claim_timeout_seconds": 150,
        "album_wait_seconds": 3.0,
        "raw_retention_days": 30,
        "failed_retention_days": 30,
    }


def test_the_topic_defaults_are_the_topics_of_pipeline_json() -> None:
    subscriber = {topic: spec["subscriber"] for topic, spec in PIPELINE["topics"].items()}
    defaults = Settings.model_construct()
    assert subscriber[defaults.topic_uploaded] == "preprocess"
    assert subscriber[defaults.topic_preprocessed] == "extract"


MAPPING = [
    ("GOOGLE_CLOUD_PROJECT", "my-project", "project", "my-project"),
    ("GCP_PROJECT", "old-project", "project", "old-project"),
    ("RAW_BUCKET", "r", "raw_bucket", "r"),
    ("WORK_BUCKET", "w", "work_bucket", "w"),
    ("FIRESTORE_DATABASE", "receipt-bot", "firestore_database", "receipt-bot"),
    ("TOPIC_EXPORTS", "ex", "topic_exports", "ex"),
    ("TOPIC_UPLOADED", "up", "topic_uploaded", "up"),
    ("TOPIC_PREPROCESSED", "pre", "topic_preprocessed", "pre"),
    ("TELEGRAM_API_URL", "http://127.0.0.1:8090/", "telegram_api_url", "http://127.0.0.1:8090"),
    ("GOOGLE_GENAI_USE_VERTEXAI", "TRUE", "use_vertex_ai", True),
    ("GOOGLE_CLOUD_LOCATION", "europe-west1", "vertex_location", "europe-west1"),
    ("GEMINI_MODEL", "gemini-x", "gemini_model", "gemini-x"),
    ("GEMINI_BASE_URL", "http://127.0.0.1:8091", "gemini_base_url", "http://127.0.0.1:8091"),
    ("GEMINI_TIMEOUT_SECONDS", "5", "gemini_timeout_seconds", 5),
    ("EXTRACT_ENGINE", "Tesseract", "engine", "tesseract"),
    ("OFFLINE_FALLBACK", "false", "offline_fallback", False),
    ("MAX_UPLOAD_BYTES", "1000", "max_upload_bytes", 1000),
    ("MAX_BODY_BYTES", " 2000 ", "max_body_bytes", 2000),
    ("MAX_PIXELS", "3000", "max_pixels", 3000),
    ("ALLOWED_CHAT_IDS", "1, -1002003;4,", "allowed_chat_ids", frozenset({1, -1002003, 4})),
    ("RATE_LIMIT_COUNT", "3", "rate_limit_count", 3),
    ("RATE_LIMIT_WINDOW_SECONDS", "60", "rate_limit_window_seconds", 60),
    ("USER_DAILY_RECEIPTS", "5", "user_daily_receipts", 5),
    ("CHAT_DAILY_RECEIPTS", "7", "chat_daily_receipts", 7),
    ("GLOBAL_DAILY_RECEIPTS", "9", "global_daily_receipts", 9),
    ("FAILED_RETENTION_DAYS", "14", "failed_retention_days", 14),
    ("CLAIM_TIMEOUT_SECONDS", "200", "claim_timeout_seconds", 200),
    ("RAW_RETENTION_DAYS", "7", "raw_retention_days", 7),
    ("ALBUM_WAIT_SECONDS", "1.5", "album_wait_seconds", 1.5),
]
SECRETS = [
    ("TELEGRAM_BOT_TOKEN", "telegram_token"),
    ("TELEGRAM_WEBHOOK_SECRET", "webhook_secret"),
    ("GEMINI_API_KEY", "gemini_api_key"),
]


@pytest.mark.parametrize(("variable", "raw", "field", "value"), MAPPING, ids=[m[0] for m in MAPPING])
def test_each_variable_sets_its_field(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, field: str, value: object
) -> None:
    monkeypatch.setenv(variable, raw)
    assert getattr(load_settings(), field) == value


@pytest.mark.parametrize(("variable", "field"), SECRETS, ids=[s[0] for s in SECRETS])
def test_each_secret_variable_sets_its_field(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str
) -> None:
    monkeypatch.setenv(variable, SECRET)
    assert getattr(load_settings(), field).get_secret_value() == SECRET


def test_every_variable_is_tested() -> None:
    assert variables() == {m[0] for m in MAPPING} | {s[0] for s in SECRETS}


def test_google_cloud_project_wins_over_gcp_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCP_PROJECT", "old-project")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "my-project")
    assert load_settings().project == "my-project"
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "")
    assert load_settings().project == "old-project"


@pytest.mark.parametrize("variable", ["RAW_BUCKET", "TELEGRAM_API_URL", "EXTRACT_ENGINE", "MAX_PIXELS"])
def test_an_empty_variable_is_an_unset_one(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "")
    assert load_settings() == Settings.model_construct()


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("yes", True), ("True", True), ("0", False), ("no", False)]
)
def test_vertex_ai_flag(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", raw)
    assert load_settings().use_vertex_ai is value


def test_only_the_variables_are_read_not_the_field_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("engine", "ENGINE", "project", "PROJECT", "raw_bucket", "rate_limit_count"):
        monkeypatch.setenv(name, "7")
    assert load_settings() == Settings.model_construct()


def test_python_callers_name_the_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACT_ENGINE", "gemini")
    monkeypatch.setenv("RATE_LIMIT_COUNT", "9")
    s = Settings(engine="tesseract", project="p", rate_limit_count=3)
    assert (s.engine, s.project, s.rate_limit_count) == ("tesseract", "p", 3)  # the arguments win


INVALID = [
    ("EXTRACT_ENGINE", "gemnii"),
    ("EXTRACT_ENGINE", "offline"),
    ("GOOGLE_GENAI_USE_VERTEXAI", "maybe"),
    ("GEMINI_TIMEOUT_SECONDS", "0"),
    ("GEMINI_TIMEOUT_SECONDS", "1.5"),
    ("MAX_UPLOAD_BYTES", "-1"),
    ("MAX_BODY_BYTES", "1MB"),
    ("MAX_PIXELS", "0"),
    ("ALLOWED_CHAT_IDS", "1,me"),
    ("RATE_LIMIT_COUNT", "-20"),
    ("RATE_LIMIT_WINDOW_SECONDS", "0"),
    ("CLAIM_TIMEOUT_SECONDS", "-150"),
    ("RAW_RETENTION_DAYS", "0"),
]


@pytest.mark.parametrize(("variable", "raw"), INVALID, ids=[f"{v}={r}" for v, r in INVALID])
def test_a_bad_value_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(InvalidSettings, match=variable) as refused:
        load_settings()
    assert repr(raw) not in str(refused.value)  # the value is not repeated


def test_every_bad_variable_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACT_ENGINE", "gemnii")
    monkeypatch.setenv("MAX_PIXELS", "-1")
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    assert "EXTRACT_ENGINE" in str(refused.value)
    assert "MAX_PIXELS" in str(refused.value)
    assert "'auto', 'gemini' or 'tesseract'" in str(refused.value)


def test_no_secret_in_a_repr_or_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, _ in SECRETS:
        monkeypatch.setenv(variable, SECRET)
    s = load_settings()
    assert SECRET not in repr(s)
    assert SECRET not in str(s)
    assert SECRET not in s.model_dump_json()
    # A secret pasted into the wrong variable is not repeated either, nor kept in a chained error.
    monkeypatch.setenv("MAX_PIXELS", SECRET)
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    assert SECRET not in str(refused.value)
    assert refused.value.__cause__ is None
    assert refused.value.__context__ is None or SECRET not in str(refused.value.__context__)


def test_settings_are_read_once_per_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    first = settings()
    monkeypatch.setenv("RAW_BUCKET", "changed")
    assert settings() is first


@pytest.mark.parametrize("step", ["webhook", "preprocess", "extract", "deadletter"])
def test_a_step_refuses_bad_settings_at_import(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """So a deployment with a typo fails at cold start, not on its first receipt."""
    monkeypatch.setenv("EXTRACT_ENGINE", "gemnii")
    with pytest.raises(InvalidSettings, match="EXTRACT_ENGINE"):
        # A fresh run of the module's code, as a cold start does; sys.modules keeps its copy.
        runpy.run_path(find_spec(f"receiptbot.steps.{step}").origin)


@pytest.mark.parametrize(
    ("engine", "key", "vertex", "enabled"),
    [
        ("auto", "", False, False),
        ("auto", "k", False, True),
        ("auto", "", True, True),
        ("gemini", "", False, True),
        ("tesseract", "k", True, False),
    ],
)
def test_gemini_enabled(engine: str, key: str, vertex: bool, enabled: bool) -> None:
    assert Settings(engine=engine, gemini_api_key=key, use_vertex_ai=vertex).gemini_enabled is enabled
