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

    def upload_from_file(self, stream, content_type: str = "text/plain", **kwargs) -> None:
        """As the real one: the stream read to its end (here at once; the real one in chunks)."""
        self.upload_from_string(stream.read(), content_type, **kwargs)

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


class FakeRecords:
    """receiptbot.cloud.records' functions over a dict of documents, for the unit layer. The real
    module runs against the Firestore emulator in tests/stack/test_records_store.py.

    Documents go through ``Record.document()`` and back, as they do through Firestore.

        fake.install(monkeypatch)
    """

    def __init__(self) -> None:
        self.documents: dict[str, dict] = {}
        self.deleted_up_to: dict[int, int] = {}
        self.categories: dict[tuple[int, str], str] = {}
        self.fixes: dict[tuple[int, int], object] = {}
        self.quotas: dict[str, int] = {}  # the cost caps' counts
        self.counted: set[str] = set()  # receipts counted against them
        self.notices: set[str] = set()

    def install(self, monkeypatch: object) -> None:
        from receiptbot.cloud import records

        for name in ("get", "save", "update", "delete", "of_chat", "duplicate_of", "remembered_category",
                     "remember_category", "ask_fix", "pending_fix", "fix_done", "delete_chat",
                     "count_receipt", "first_notice", "forget_notice"):  # fmt: skip
            monkeypatch.setattr(records, name, getattr(self, name))

    def _record(self, doc: dict):
        from receiptbot.cloud.records import Record

        return Record.from_document(doc)

    def get(self, receipt_id: str):
        doc = self.documents.get(receipt_id)
        return self._record(doc) if doc else None

    def save(self, record) -> bool:
        if (record.sent_at or 0) <= self.deleted_up_to.get(record.chat_id, -1):
            return False
        self.documents[record.receipt_id] = record.document()
        return True

    def update(self, record) -> None:
        self.documents[record.receipt_id] = record.document()

    def delete(self, receipt_id: str) -> None:
        self.documents.pop(receipt_id, None)

    def of_chat(self, chat_id: int, month: str | None = None, user_id: int | None = None) -> list:
        found = [
            self._record(d)
            for d in self.documents.values()
            if d["chat_id"] == chat_id and month in (None, d["month"]) and user_id in (None, d["user_id"])
        ]
        return sorted(found, key=lambda r: (r.receipt.date or "", r.receipt.time or "", r.message_id))

    def duplicate_of(self, record):
        for name in ("fiscal_key", "fingerprint", "file_unique_id", "bill_key"):
            value = getattr(record, name)
            for doc in self.documents.values():
                same = value and doc["chat_id"] == record.chat_id and doc[name] == value
                if same and doc["counted"] and doc["receipt_id"] != record.receipt_id:
                    return self._record(doc)
        return None

    def remembered_category(self, chat_id: int, merchant: str | None):
        from receiptbot.cloud.records import merchant_key
        from receiptbot.reading.model import Category

        value = self.categories.get((chat_id, merchant_key(merchant))) if merchant else None
        return Category(value) if value else None

    def remember_category(self, chat_id: int, merchant: str, category) -> None:
        from receiptbot.cloud.records import merchant_key

        self.categories[(chat_id, merchant_key(merchant))] = category.value

    def ask_fix(self, chat_id: int, prompt_message_id: int, fix) -> None:
        self.fixes[(chat_id, prompt_message_id)] = fix

    def pending_fix(self, chat_id: int, prompt_message_id: int):
        return self.fixes.get((chat_id, prompt_message_id))

    def fix_done(self, chat_id: int, prompt_message_id: int) -> None:
        self.fixes.pop((chat_id, prompt_message_id), None)

    def count_receipt(self, receipt_id: str, quotas, expires_at) -> object:
        if receipt_id in self.counted:
            return None
        spent = next((q for q in quotas if self.quotas.get(q.key, 0) >= q.limit), None)
        if spent is None:
            for quota in quotas:
                self.quotas[quota.key] = self.quotas.get(quota.key, 0) + 1
            self.counted.add(receipt_id)
        return spent

    def first_notice(self, key: str, expires_at) -> bool:
        new = key not in self.notices
        self.notices.add(key)
        return new

    def forget_notice(self, key: str) -> None:
        self.notices.discard(key)

    def delete_chat(self, chat_id: int, up_to: int) -> int:
        self.deleted_up_to[chat_id] = up_to
        gone = [rid for rid, d in self.documents.items() if d["chat_id"] == chat_id]
        for rid in gone:
            del self.documents[rid]
        return len(gone)
