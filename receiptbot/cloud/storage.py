"""Cloud Storage access: plain reads and writes, and claims.

A claim is a small object created with ``if_generation_match=0``: only one writer can create
it, so it decides who does a step for a receipt. A claim left "pending" by a crashed instance
is taken over once it is older than the claim timeout.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import requests
from google.api_core import exceptions as gexc
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

# Fail fast: the library's default retries a refused connection for 120 s, far past the few
# seconds Telegram waits for the webhook. The retry that outlives an outage is Telegram's
# re-send or Pub/Sub's redelivery. Every call passes these (`**storage.CALL`).
RETRY_SECONDS = 4.0
TIMEOUT_SECONDS = 10.0
CALL = {"retry": DEFAULT_RETRY.with_timeout(RETRY_SECONDS), "timeout": TIMEOUT_SECONDS}

# Transient storage faults: the caller lets them raise so the message is redelivered.
# RetryError is what is left when CALL's retry gives up (e.g. the server cannot be reached).
TRANSIENT_ERRORS = (
    gexc.ServerError,
    gexc.TooManyRequests,
    gexc.ServiceUnavailable,
    gexc.RetryError,
    ConnectionError,
    requests.ConnectionError,
    requests.Timeout,
)


@lru_cache(maxsize=1)
def client() -> storage.Client:
    """One client per instance (STORAGE_EMULATOR_HOST points it at fake-gcs-server locally)."""
    return storage.Client()


def blob(bucket: str, name: str) -> storage.Blob:
    return client().bucket(bucket).blob(name)


def find(bucket: str, name: str) -> storage.Blob | None:
    """The object with its metadata, or None when it does not exist (one request)."""
    return client().bucket(bucket).get_blob(name, **CALL)


def exists(bucket: str, name: str) -> bool:
    return blob(bucket, name).exists(**CALL)


def read(bucket: str, name: str) -> bytes:
    return blob(bucket, name).download_as_bytes(**CALL)


def read_if_exists(bucket: str, name: str) -> bytes | None:
    try:
        return read(bucket, name)
    except gexc.NotFound:
        return None


def create(bucket: str, name: str, data: bytes, content_type: str, metadata: dict | None = None) -> bool:
    """Write only if the object does not exist yet. Returns False when it already did."""
    target = blob(bucket, name)
    if metadata:
        target.metadata = metadata
    try:
        target.upload_from_string(data, content_type=content_type, if_generation_match=0, **CALL)
    except gexc.PreconditionFailed:
        return False
    return True


def write(bucket: str, name: str, data: bytes, content_type: str) -> None:
    blob(bucket, name).upload_from_string(data, content_type=content_type, **CALL)


class ClaimState(Enum):
    TAKEN = "taken"  # we own the step now
    BUSY = "busy"  # someone else holds a fresh claim: try again later
    DONE = "done"  # the step was completed


@dataclass
class Claim:
    bucket: str
    name: str
    generation: int

    def complete(self) -> None:
        try:
            _put_claim(self.bucket, self.name, "done", if_generation_match=self.generation)
        except gexc.PreconditionFailed:
            pass  # we were taken over as stale; the new holder finishes and marks it

    def release(self) -> None:
        """Give the step back (a transient fault): the next delivery takes it at once."""
        try:
            blob(self.bucket, self.name).delete(if_generation_match=self.generation, **CALL)
        except (gexc.NotFound, gexc.PreconditionFailed):
            pass


def _put_claim(bucket: str, name: str, state: str, if_generation_match: int) -> int:
    target = blob(bucket, name)
    body = json.dumps({"state": state, "at": time.time()}).encode()
    target.upload_from_string(
        body, content_type="application/json", if_generation_match=if_generation_match, **CALL
    )
    return target.generation


def claim(bucket: str, name: str, timeout_seconds: float) -> tuple[ClaimState, Claim | None]:
    """Try to own a step. Never raises on contention: the state says what happened."""
    try:
        return ClaimState.TAKEN, Claim(bucket, name, _put_claim(bucket, name, "pending", 0))
    except gexc.PreconditionFailed:
        pass
    current = blob(bucket, name)
    try:
        body = json.loads(current.download_as_bytes(**CALL))
    except gexc.NotFound:  # released between our two calls: try once more
        return claim(bucket, name, timeout_seconds)
    if body.get("state") == "done":
        return ClaimState.DONE, None
    if time.time() - float(body.get("at", 0)) < timeout_seconds:
        return ClaimState.BUSY, None
    try:  # stale: its holder crashed. Take it over, but only if nobody else just did.
        generation = _put_claim(bucket, name, "pending", if_generation_match=current.generation)
    except gexc.PreconditionFailed:
        return ClaimState.BUSY, None
    return ClaimState.TAKEN, Claim(bucket, name, generation)


def is_done(bucket: str, name: str) -> bool:
    body = read_if_exists(bucket, name)
    return body is not None and json.loads(body).get("state") == "done"
