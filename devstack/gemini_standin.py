"""A Gemini `generateContent` stand-in speaking the real wire format (v1beta REST).

The real google-genai SDK is pointed at it with ``HttpOptions(base_url=...)``. It cannot read
images, so it answers with a configured receipt after a configurable latency; tests script
failures (429, 500), malformed answers, and read back every request the SDK sent.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from flask import Flask, jsonify, request

DEFAULT_ANSWER: dict[str, Any] = {
    "document_type": "shop_receipt",
    "merchant": {"name": "LIDL", "tax_id": None, "address": "Musterstraße 1, 12345 Berlin"},
    "date": "2020-04-07",
    "time": "18:42",
    "total": "15.69",
    "currency": "EUR",
    "taxes": [{"rate": "A 7%", "amount": "1.03"}],
    "payment_method": "card",
    "items": [
        {"name": "Bananen", "quantity": "1", "unit_price": "1.29", "amount": "1.29"},
        {"name": "Vollmilch 3,5%", "quantity": "2", "unit_price": "0.95", "amount": "1.90"},
        {"name": "Kaffee", "quantity": "1", "unit_price": "12.50", "amount": "12.50"},
    ],
}

STATUS_NAMES = {400: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


class GeminiStandIn:
    def __init__(self, latency_seconds: float = 0.0, api_key: str = "local-gemini-key"):
        self.api_key = api_key
        self.latency_seconds = latency_seconds
        self.answer: dict[str, Any] = DEFAULT_ANSWER
        self.fail_next: list[int] = []  # HTTP codes for the next calls, in order
        self.always_fail: int | None = None
        self.malformed_next = 0
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.app = self._build_app()

    def _build_app(self) -> Flask:
        app = Flask("gemini-standin")

        @app.post("/<version>/models/<model>:generateContent")
        def generate_content(version: str, model: str):
            body = request.get_json()
            with self.lock:
                self.requests.append(
                    {
                        "version": version,
                        "model": model,
                        "api_key": request.headers.get("x-goog-api-key"),
                        "body": body,
                        "bytes": request.content_length,
                    }
                )
                failure = self.fail_next.pop(0) if self.fail_next else self.always_fail
                malformed = self.malformed_next > 0
                self.malformed_next -= int(malformed)
            if request.headers.get("x-goog-api-key") != self.api_key:
                return _error(400, "API key not valid. Please pass a valid API key.")
            time.sleep(self.latency_seconds)
            if failure:
                return _error(failure, "scripted failure")
            text = '{"merchant": {"name": "LID' if malformed else json.dumps(self.answer)
            return jsonify(
                {
                    "candidates": [
                        {
                            "content": {"role": "model", "parts": [{"text": text}]},
                            "finishReason": "STOP",
                            "index": 0,
                        }
                    ],
                    "usageMetadata": {
                        "promptTokenCount": 1290,
                        "candidatesTokenCount": 180,
                        "totalTokenCount": 1470,
                    },
                    "modelVersion": model,
                }
            )

        @app.post("/_standin/config")
        def configure():
            config = request.get_json()
            with self.lock:
                self.latency_seconds = float(config.get("latency_seconds", self.latency_seconds))
                self.fail_next = list(config.get("fail_next", self.fail_next))
                self.always_fail = config.get("always_fail", self.always_fail)
                self.malformed_next = int(config.get("malformed_next", self.malformed_next))
                self.answer = config.get("answer", self.answer)
            return jsonify({"ok": True})

        @app.get("/_standin/requests")
        def requests_seen():
            with self.lock:
                return jsonify(self.requests)

        return app


def _error(code: int, message: str):
    return jsonify(
        {"error": {"code": code, "message": message, "status": STATUS_NAMES.get(code, "UNKNOWN")}}
    ), code
