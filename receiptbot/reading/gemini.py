"""Reading a receipt with Gemini through google-genai, with the Receipt model as response schema.

Transient faults (429, 5xx, timeouts, network) are raised as they are, so Pub/Sub redelivers.
A request Gemini refuses for good (4xx other than 429) or an answer that stays malformed after
one more try is a ``PermanentEngineError``: the user is told, and the message acknowledged.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from google import genai
from google.genai import errors, types
from pydantic import ValidationError

from receiptbot.reading.model import PermanentEngineError, Receipt

PROMPT = """You read photos of receipts: shop receipts (cash register slips), utility and payment
receipts (Russian "квитанция"), and invoices, in Russian, English or German.
Fill the JSON schema from what is printed. Rules:
- Amounts are decimal strings with a dot and two decimals ("1234.50"): no currency signs and no
  thousands separators.
- total is the amount paid (SUMME, ZU ZAHLEN, TOTAL, ИТОГ, К ОПЛАТЕ), never the cash handed over
  or the change.
- date is YYYY-MM-DD, time is HH:MM (24 h). Day comes before month on German and Russian receipts.
- currency is an ISO 4217 code; infer it from symbols, language or country when it is not printed.
- items: one entry per purchased line, with quantity and unit price when printed.
- document_type: utility_receipt for a bill still to be paid (квитанция, ЕПД, счёт на оплату);
  payment_receipt for the confirmation of a payment made (a bank's «чек по операции», «платёж
  выполнен»), even when it repeats the bill's details.
- For Russian cash receipts fill fiscal (ФН, ФД, ФП). For utility or payment receipts fill payment
  (payee, account / лицевой счёт, period as YYYY-MM, purpose).
- Leave a field null when it is not on the receipt. Never invent values."""


@dataclass(frozen=True)
class GeminiConfig:
    """What the engine needs to reach Gemini: an API key, or Vertex AI (project and location)."""

    model: str  # e.g. "gemini-2.5-flash"
    api_key: str = field(repr=False)  # a secret: never in a repr, so never in a log line
    use_vertex_ai: bool
    project: str
    location: str
    base_url: str  # "" for Google's own endpoint; the local stand-in's address on the stack
    timeout_seconds: int


@lru_cache(maxsize=1)
def _client(config: GeminiConfig) -> genai.Client:
    # One attempt per delivery: retries belong to Pub/Sub, whose backoff outlives this instance.
    http = types.HttpOptions(
        timeout=config.timeout_seconds * 1000,
        base_url=config.base_url or None,
        retry_options=types.HttpRetryOptions(attempts=1),
    )
    if config.use_vertex_ai:
        return genai.Client(
            vertexai=True, project=config.project, location=config.location, http_options=http
        )
    return genai.Client(api_key=config.api_key, http_options=http)


# Instances take several receipts at once: without the lock, the first concurrent calls each built
# a Client, lru_cache kept one, and a dropped one closed its HTTP connection pool when it was
# garbage collected, in the middle of its call ("the client has been closed").
_client_lock = threading.Lock()


def client(config: GeminiConfig) -> genai.Client:
    """One Client per instance, shared by its threads."""
    with _client_lock:
        return _client(config)


# The response schema, generated from the Receipt model once per instance. Given the model class
# the SDK regenerates it on every call (about 7 ms of CPU per receipt); given this JSON Schema it
# sends the very same responseSchema. The SDK edits the dict it is given, hence a copy per call.
RECEIPT_SCHEMA = Receipt.model_json_schema()


# The answer's length: about 190 tokens for a receipt without items and 45 more per item (digits
# count one token each), so a 100-item receipt needs ~4,500 (docs/gemini.md). The cap leaves room
# for ~175 items and stops an answer that repeats itself well inside GEMINI_TIMEOUT_SECONDS; a
# capped answer is cut-off JSON, which gets the malformed answer's one more try.
MAX_OUTPUT_TOKENS = 8192
# The image at its highest sampling: receipts are long and their print small (docs/gemini.md).
MEDIA_RESOLUTION = types.MediaResolution.MEDIA_RESOLUTION_HIGH


def thinking(model: str) -> types.ThinkingConfig | None:
    """As little thinking as the model allows: a receipt is transcription, and thinking costs seconds.

    Gemini 2.5 takes a token budget (0 turns it off; 2.5 Pro cannot go below 128), later models a
    level (MINIMAL on Flash; Pro's lowest is LOW) and refuse a budget; earlier models do not think.
    """
    found = re.search(r"gemini-(\d+)(?:\.(\d+))?", model)
    if found is None:
        return None  # a model we do not know: its own default
    version = (int(found[1]), int(found[2] or 0))
    pro = "-pro" in model
    if version < (2, 5):
        return None
    if version == (2, 5):
        return types.ThinkingConfig(thinking_budget=128 if pro else 0)
    return types.ThinkingConfig(
        thinking_level=types.ThinkingLevel.LOW if pro else types.ThinkingLevel.MINIMAL
    )


def request_config(model: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        temperature=0,
        response_mime_type="application/json",
        response_schema=copy.deepcopy(RECEIPT_SCHEMA),
        max_output_tokens=MAX_OUTPUT_TOKENS,
        media_resolution=MEDIA_RESOLUTION,
        thinking_config=thinking(model),
    )


def read_receipt(image: bytes, config: GeminiConfig, mime_type: str = "image/jpeg") -> Receipt:
    contents = [types.Part.from_bytes(data=image, mime_type=mime_type), PROMPT]
    gemini = client(config)  # held for the whole call: a Client closes its connections when collected
    for attempt in (1, 2):  # a malformed answer gets one more try
        try:
            response = gemini.models.generate_content(
                model=config.model, contents=contents, config=request_config(config.model)
            )
        except errors.ClientError as exc:
            if exc.code == 429:
                raise
            raise PermanentEngineError(f"Gemini refused the request ({exc.code})") from None
        try:
            return Receipt.model_validate_json(response.text or "")
        except ValidationError:
            if attempt == 2:
                raise PermanentEngineError("Gemini's answer did not match the receipt schema") from None
    raise AssertionError("unreachable")
