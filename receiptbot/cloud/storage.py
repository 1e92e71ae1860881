"""Cloud Storage access: every call the bot makes, each with the project's timeout and retry.

Callers name a bucket and an object and never see the client, so no call can forget `CALL`.
Besides plain reads and writes there are the two conditional writes that the claims and the
rate limit are built on: create-only (`create`) and compare-and-swap on the object's generation
(`read_versioned` + `compare_and_swap`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

import requests
from google.api_core import exceptions as gexc
from google.cloud import storage
from google.cloud.storage import Blob
from google.cloud.storage.retry import DEFAULT_RETRY

# Fail fast: the library's default retries a refused connection for 120 s, far past the few
# seconds Telegram waits for the webhook. The retry that outlives an outage is Telegram's
# re-send or Pub/Sub's redelivery. Every call below passes these.
RETRY_SECONDS = 4.0
TIMEOUT_SECONDS = 10.0
CALL = {"retry": DEFAULT_RETRY.with_timeout(RETRY_SECONDS), "timeout": TIMEOUT_SECONDS}
STREAM_CHUNK_BYTES = 2 * 1024 * 1024  # a multiple of 256 KiB, as resumable uploads need

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


def _blob(bucket: str, name: str) -> Blob:
    return client().bucket(bucket).blob(name)


def find(bucket: str, name: str) -> Blob | None:
    """The object with its metadata, or None when it does not exist (one request)."""
    return client().bucket(bucket).get_blob(name, **CALL)


def exists(bucket: str, name: str) -> bool:
    return _blob(bucket, name).exists(**CALL)


def read(bucket: str, name: str) -> bytes:
    return _blob(bucket, name).download_as_bytes(**CALL)


def read_if_exists(bucket: str, name: str) -> bytes | None:
    try:
        return read(bucket, name)
    except gexc.NotFound:
        return None


def names(bucket: str, prefix: str) -> list[str]:
    """The names of the objects under `prefix`, all pages of the listing."""
    return [found.name for found in client().bucket(bucket).list_blobs(prefix=prefix, **CALL)]


def write(bucket: str, name: str, data: bytes, content_type: str) -> None:
    _blob(bucket, name).upload_from_string(data, content_type=content_type, **CALL)


def create(bucket: str, name: str, data: bytes, content_type: str, metadata: dict | None = None) -> bool:
    """Write only if the object does not exist yet. Returns False when it already did."""
    return compare_and_swap(bucket, name, data, content_type, generation=0, metadata=metadata) is not None


def create_streamed(
    bucket: str,
    name: str,
    stream: BinaryIO,
    content_type: str,
    metadata: dict | None = None,
    size: int | None = None,
) -> bool:
    """``create`` from a file object read piece by piece (a resumable upload of STREAM_CHUNK_BYTES
    at a time), so a 20 MB photo never sits whole in memory. False when the object existed."""
    # Most photos fit in one chunk (``size``: as Telegram declared it): those go in one request,
    # as a resumable upload costs two. (Read whole: a size that lied is still capped by the stream.)
    if size is not None and size <= STREAM_CHUNK_BYTES:
        return create(bucket, name, stream.read(), content_type, metadata)
    target = _blob(bucket, name)
    target.chunk_size = STREAM_CHUNK_BYTES
    if metadata:
        target.metadata = metadata
    try:
        target.upload_from_file(stream, content_type=content_type, if_generation_match=0, **CALL)
    except gexc.PreconditionFailed:
        return False
    return True


def copy(bucket: str, source: str, target: str) -> bool:
    """Copy an object within a bucket (its metadata too). Returns False when the source does not exist."""
    found = client().bucket(bucket)
    try:
        found.copy_blob(found.blob(source), found, target, **CALL)
    except gexc.NotFound:
        return False
    return True


def delete(bucket: str, name: str, if_generation_match: int | None = None) -> bool:
    """Delete an object (only at `if_generation_match`, if given). False when it was not there."""
    try:
        _blob(bucket, name).delete(if_generation_match=if_generation_match, **CALL)
    except (gexc.NotFound, gexc.PreconditionFailed):
        return False
    return True


@dataclass(frozen=True)
class Versioned:
    """An object's content and the generation it was read at, for a later compare_and_swap."""

    data: bytes
    generation: int


def read_versioned(bucket: str, name: str) -> Versioned | None:
    """The content and its generation in one request (the download's headers carry it), or None."""
    target = _blob(bucket, name)
    try:
        data = target.download_as_bytes(**CALL)
    except gexc.NotFound:
        return None
    return Versioned(data, target.generation)


def compare_and_swap(
    bucket: str, name: str, data: bytes, content_type: str, generation: int, metadata: dict | None = None
) -> int | None:
    """Write only if the object is still at `generation` (0: only if it does not exist).

    Returns the new generation, or None when another writer changed the object first.
    """
    target = _blob(bucket, name)
    if metadata:
        target.metadata = metadata
    try:
        target.upload_from_string(data, content_type=content_type, if_generation_match=generation, **CALL)
    except gexc.PreconditionFailed:
        return None
    return target.generation
