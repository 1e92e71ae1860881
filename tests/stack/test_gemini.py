"""The Gemini path: the real google-genai SDK against the generateContent stand-in."""

from __future__ import annotations

import base64
import time

import cv2
import numpy as np
import pytest
from google.genai import types
from helpers import SAMPLE, objects, stored

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.reading import gemini
from receiptbot.reading.model import Receipt


def test_the_sdk_sends_the_image_the_schema_and_the_config(
    gemini_stack: LocalStack, gemini_user: TelegramUser
):
    gemini_stack.gemini.requests.clear()
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    answer = gemini_user.wait_for_answer(sent.message_id)

    (request,) = gemini_stack.gemini.requests
    assert request["model"] == "gemini-2.5-flash"
    assert request["api_key"] == gemini_stack.gemini_key
    body = request["body"]
    config = body["generationConfig"]
    assert config["temperature"] == 0
    assert config["responseMimeType"] == "application/json"
    # Tuned for transcription (docs/gemini.md): no thinking, a cap on the answer, the image sampled finely.
    assert config["thinkingConfig"] == {
        "thinking_budget": 0
    }  # as google-genai sends it (proto JSON takes both)
    assert config["maxOutputTokens"] == gemini.MAX_OUTPUT_TOKENS == 8192
    assert config["mediaResolution"] == "MEDIA_RESOLUTION_HIGH"
    schema = config["responseSchema"]
    assert set(Receipt.model_fields) <= set(schema["properties"])
    assert schema["properties"]["total"]["type"] == "STRING"  # exact decimals, never floats

    (content,) = body["contents"]
    image_part, prompt_part = content["parts"]
    assert image_part["inlineData"]["mime_type"] == "image/jpeg"  # as google-genai sends it
    image_bytes = base64.urlsafe_b64decode(image_part["inlineData"]["data"])  # the SDK encodes URL-safe
    rid = layout.receipt_id(gemini_user.chat_id, sent.message_id)
    # The model gets the preprocessed image, not the raw upload.
    assert image_bytes == objects("WORK_BUCKET", layout.processed_image(rid))[layout.processed_image(rid)]
    image = cv2.imdecode(np.frombuffer(image_bytes, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None and max(image.shape[:2]) <= 3072
    assert "total" in prompt_part["text"]

    # The stand-in's answer became the stored result and the card.
    result = stored(rid)
    assert result["engine"] == "gemini:gemini-2.5-flash"
    assert result["receipt"]["total"] == "15.69" and result["receipt"]["currency"] == "EUR"
    assert [i["name"] for i in result["receipt"]["items"]] == ["Bananen", "Vollmilch 3,5%", "Kaffee"]
    assert "LIDL" in answer["text"] and "€15.69" in answer["text"] and "Kaffee" in answer["text"]


def test_the_cached_schema_is_the_one_the_sdk_makes_of_the_model() -> None:
    # gemini_engine passes the model's JSON Schema, generated once, instead of the class (the SDK
    # would regenerate it per call); the SDK's own conversion must come out the same.
    from google.genai import _transformers  # the SDK's converter: private, so checked here

    assert _transformers.t_schema(None, gemini.request_config("gemini-2.5-flash").response_schema) == (
        _transformers.t_schema(None, Receipt)
    )


@pytest.mark.parametrize(
    ("model", "thinking"),
    [
        ("gemini-2.5-flash", {"thinking_budget": 0}),
        ("gemini-2.5-flash-lite", {"thinking_budget": 0}),
        ("gemini-2.5-pro", {"thinking_budget": 128}),  # 2.5 Pro cannot turn thinking off
        ("gemini-3-flash-preview", {"thinking_level": types.ThinkingLevel.MINIMAL}),
        ("gemini-3.1-pro-preview", {"thinking_level": types.ThinkingLevel.LOW}),  # Pro's lowest
        ("gemini-2.0-flash", None),  # does not think: no thinkingConfig at all
    ],
)
def test_thinking_is_as_little_as_each_model_allows(model: str, thinking: dict | None) -> None:
    config = gemini.thinking(model)
    assert (config and config.model_dump(exclude_none=True)) == thinking


def test_a_malformed_answer_is_retried_once(gemini_stack: LocalStack, gemini_user: TelegramUser) -> None:
    gemini_stack.gemini.requests.clear()
    gemini_stack.gemini.malformed_next = 1
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    answer = gemini_user.wait_for_answer(sent.message_id)
    assert len(gemini_stack.gemini.requests) == 2
    assert "15.69" in answer["text"]


def test_an_answer_malformed_twice_gets_a_clear_message(
    gemini_stack: LocalStack, gemini_user: TelegramUser
) -> None:
    gemini_stack.gemini.requests.clear()
    gemini_stack.gemini.malformed_next = 2
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    answer = gemini_user.wait_for_answer(sent.message_id)
    assert answer["text"] == TEXTS["not_a_receipt"]["en"]
    time.sleep(3)  # past the stack's 1-2 s redelivery backoff
    assert len(gemini_stack.gemini.requests) == 2  # acknowledged: no redelivery, no third call
