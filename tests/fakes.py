"""In-memory stand-ins for the cloud clients, for the unit tests (no emulator, no subprocess).

FakeStorageClient implements the part of google-cloud-storage's Client/Bucket/Blob surface that
receiptbot.cloud.storage uses, with the server's semantics that the claims and the rate limit
rely on: every write makes a new generation, ``if_generation_match`` conditions a write or a
delete (0: the object must not exist), a download reports the generation it read, custom
metadata is kept as strings, and the faults are the real client's (``NotFound``,
``PreconditionFailed``). Each call must pass ``timeout`` and ``retry``, as the facade promises.

    monkeypatch.setattr(receiptbot.cloud.storage, "client", lambda: fake)
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from google.api_core.exceptions import NotFound, PreconditionFailed


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    generation: int
    content_type: str
    metadata: dict[str, str] | None


class FakeStorageClient:
    """The "server": every bucket's objects, changed atomically under one lock.

    `latency` is slept before each request, outside the lock, like a network round trip: it
    lets threads interleave between one instance's read and its conditional write.
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.conflicts = 0  # PreconditionFailed answers so far: proof that a race happened
        self._objects: dict[tuple[str, str], StoredObject] = {}
        self._generations = itertools.count(1_700_000_000_000_001)
        self._lock = threading.Lock()

    def bucket(self, name: str) -> FakeBucket:
        return FakeBucket(self, name)

    def objects(self, bucket: str) -> dict[str, bytes]:
        """The content of every object in a bucket (for assertions; not a client call)."""
        return {name: stored.data for (owner, name), stored in self._objects.items() if owner == bucket}

    # The server side of the calls below.

    def _request(self) -> None:
        if self.latency:
            time.sleep(self.latency)

    def _get(self, bucket: str, name: str) -> StoredObject:
        stored = self._objects.get((bucket, name))
        if stored is None:
            raise NotFound(f"No such object: {bucket}/{name}")
        return stored

    def _check(self, stored: StoredObject | None, if_generation_match: int | None) -> None:
        if if_generation_match is None:
            return
        if (stored.generation if stored else 0) != if_generation_match:
            self.conflicts += 1
            raise PreconditionFailed("At least one of the pre-conditions you specified did not hold.")

    def _put(
        self, bucket: str, name: str, data: bytes, content_type: str, metadata: dict[str, str] | None
    ) -> StoredObject:
        stored = StoredObject(data, next(self._generations), content_type, metadata)
        self._objects[(bucket, name)] = stored
        return stored


class FakeBucket:
    def __init__(self, client: FakeStorageClient, name: str) -> None:
        self.client = client
        self.name = name

    def blob(self, name: str) -> FakeBlob:
        return FakeBlob(self, name)

    def get_blob(self, name: str, *, timeout: float, retry: object) -> FakeBlob | None:
        self.client._request()
        with self.client._lock:
            stored = self.client._objects.get((self.name, name))
        return FakeBlob(self, name, stored) if stored else None

    def list_blobs(self, *, prefix: str = "", timeout: float, retry: object) -> Iterator[FakeBlob]:
        self.client._request()
        with self.client._lock:
            found = sorted(
                (name, stored)
                for (bucket, name), stored in self.client._objects.items()
                if bucket == self.name and name.startswith(prefix)
            )
        return iter([FakeBlob(self, name, stored) for name, stored in found])

    def copy_blob(
        self, blob: FakeBlob, destination_bucket: FakeBucket, new_name: str, *, timeout: float, retry: object
    ) -> FakeBlob:
        """Copies the content, content type and metadata, as a rewrite does."""
        self.client._request()
        with self.client._lock:
            source = self.client._get(self.name, blob.name)
            copied = self.client._put(
                destination_bucket.name, new_name, source.data, source.content_type, source.metadata
            )
        return FakeBlob(destination_bucket, new_name, copied)


class FakeBlob:
    """A handle on an object name, like storage.Blob: it knows a generation once it has read or written."""

    def __init__(self, bucket: FakeBucket, name: str, stored: StoredObject | None = None) -> None:
        self.bucket = bucket
        self.name = name
        self.metadata: dict[str, str] | None = None
        self.generation: int | None = None
        self.content_type: str | None = None
        if stored:
            self._loaded(stored)

    def _loaded(self, stored: StoredObject) -> None:
        self.generation = stored.generation
        self.content_type = stored.content_type
        self.metadata = dict(stored.metadata) if stored.metadata is not None else None

    def exists(self, *, timeout: float, retry: object) -> bool:
        self.bucket.client._request()
        with self.bucket.client._lock:
            return (self.bucket.name, self.name) in self.bucket.client._objects

    def download_as_bytes(self, *, timeout: float, retry: object) -> bytes:
        self.bucket.client._request()
        with self.bucket.client._lock:
            stored = self.bucket.client._get(self.bucket.name, self.name)
        self._loaded(stored)  # the real client reads them from the response headers
        return stored.data

    def upload_from_string(
        self,
        data: bytes | str,
        content_type: str = "text/plain",
        *,
        if_generation_match: int | None = None,
        timeout: float,
        retry: object,
    ) -> None:
        server = self.bucket.client
        if isinstance(data, str):
            data = data.encode("utf-8")
        metadata = {k: str(v) for k, v in self.metadata.items()} if self.metadata else None
        server._request()
        with server._lock:
            server._check(server._objects.get((self.bucket.name, self.name)), if_generation_match)
            stored = server._put(self.bucket.name, self.name, data, content_type, metadata)
        self._loaded(stored)

    def delete(self, *, if_generation_match: int | None = None, timeout: float, retry: object) -> None:
        server = self.bucket.client
        server._request()
        with server._lock:
            stored = server._get(self.bucket.name, self.name)
            server._check(stored, if_generation_match)
            del server._objects[(self.bucket.name, self.name)]
