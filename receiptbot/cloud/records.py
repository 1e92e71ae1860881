"""Receipt records in Firestore: one document per receipt, the receipt id as its id.

Collections (Terraform creates the database and the indexes the queries need):
- ``receipts``: what was read, who sent it, its category and the user's corrections. Besides the
  reading itself a record keeps the fields queries filter on (chat, sender, month, fiscal key,
  fingerprint, photo), derived from the reading by ``Record.document`` alone.
- ``merchant_categories``: the category a user chose for a merchant, per chat.
- ``pending_fixes``: a value the bot asked for (ForceReply), keyed by the prompt's message id.
- ``chats``: per chat, when its data (or one sender's in a group) was last deleted, so receipts in
  flight then stay deleted; and the chats it was migrated from (a group that became a supergroup).
- ``quotas``: receipts counted per user, chat or the whole bot in a window (the cost caps); never
  touched by /delete, so deleting does not buy a fresh budget. ``quota_receipts`` marks each
  receipt counted (a re-sent update is not counted twice), ``quota_notices`` each "limit
  reached" notice sent (one per window). All three expire by a TTL policy on ``expires_at``.

Images stay in Cloud Storage. ``FIRESTORE_EMULATOR_HOST`` points the client at the emulator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type
from pydantic import BaseModel, Field

from receiptbot.config import settings
from receiptbot.reading.model import Category, Check, DocumentType, Receipt, billing_month

if TYPE_CHECKING:
    from google.cloud import firestore

RECEIPTS = "receipts"
MERCHANT_CATEGORIES = "merchant_categories"
PENDING_FIXES = "pending_fixes"
ALBUMS = "albums"  # receiptbot/cloud/albums.py
CHATS = "chats"
QUOTAS = "quotas"
QUOTA_RECEIPTS = "quota_receipts"
QUOTA_NOTICES = "quota_notices"

# As with Cloud Storage: fail within seconds; the retry that outlives an outage is Pub/Sub's or
# Telegram's redelivery.
CALL: dict[str, Any] = {"retry": Retry(timeout=4.0), "timeout": 10.0}
# Aborted: Firestore gave up a contended write (many receipts on one counter); nothing was applied.
TRANSIENT_ERRORS = (
    gexc.ServerError,
    gexc.TooManyRequests,
    gexc.ServiceUnavailable,
    gexc.Aborted,
    gexc.RetryError,
)
# The cost caps' batches are retried on contention too: each carries a precondition on the
# receipt's mark, so a batch that was applied and is sent again fails instead of counting twice.
COUNT_CALL: dict[str, Any] = {
    "retry": Retry(
        predicate=if_exception_type(gexc.Aborted, gexc.ServiceUnavailable, gexc.InternalServerError),
        timeout=4.0,
    ),
    "timeout": 10.0,
}
BATCH_SIZE = 400  # a write batch holds at most 500 operations

FixField = Literal["total", "date", "merchant"]
# A bill to pay, and the confirmation of a payment made.
BILLS = (DocumentType.utility_receipt, DocumentType.payment_receipt)


class Record(BaseModel):
    """One receipt as the user keeps it. ``receipt`` holds the user's corrections, applied."""

    receipt_id: str
    chat_id: int
    user_id: int | None = None
    message_id: int
    card_message_id: int | None = None
    language: str = "en"
    sent_at: int | None = None  # the Telegram message's date (unix seconds)
    file_unique_id: str | None = None  # Telegram's id of the photo: the same file sent again
    engine: str
    receipt: Receipt
    warnings: list[Check] = Field(default_factory=list)
    category: Category = Category.other
    read_at: dt.datetime
    edited_at: dt.datetime | None = None
    edited: list[FixField] = Field(default_factory=list)
    duplicate_of: str | None = None  # the receipt this one repeats; not counted unless kept
    counted: bool = True  # in month totals and exports

    @property
    def month(self) -> str | None:
        return self.receipt.date[:7] if self.receipt.date else None

    @property
    def fiscal_key(self) -> str | None:
        """fn/i/fp: one fiscal document, however it was photographed."""
        fiscal = self.receipt.fiscal
        if fiscal is None or not (fiscal.fn and fiscal.fd and fiscal.fp):
            return None
        return f"{fiscal.fn}/{fiscal.fd}/{fiscal.fp}"

    @property
    def fingerprint(self) -> str | None:
        """Merchant, date, time and total: the same receipt photographed twice."""
        r = self.receipt
        if not (r.merchant.name and r.date and r.time and r.total is not None):
            return None
        key = f"{merchant_key(r.merchant.name)}|{r.date}|{r.time}|{r.total:.2f}"
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    @property
    def bill_key(self) -> str | None:
        """Account and billing month: a bill and the confirmation of its payment, which are one
        spending, counted once (as is the same bill sent twice)."""
        r = self.receipt
        if r.document_type not in BILLS or r.payment is None or not r.payment.account:
            return None
        month = billing_month(r.payment.period)
        return f"{r.payment.account}|{month}" if month else None

    def document(self) -> dict[str, Any]:
        """The Firestore document: the record and the fields queries filter on."""
        doc = self.model_dump(mode="json", exclude={"read_at", "edited_at"})
        return doc | {
            "read_at": self.read_at,
            "edited_at": self.edited_at,
            "month": self.month,
            "total": str(self.receipt.total) if self.receipt.total is not None else None,
            "currency": self.receipt.currency,
            "fiscal_key": self.fiscal_key,
            "fingerprint": self.fingerprint,
            "bill_key": self.bill_key,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Record:
        return cls.model_validate(doc)


def merchant_key(name: str) -> str:
    """A merchant name as the same shop's receipts spell it: case, quotes and spacing aside."""
    kept = "".join(ch for ch in name.casefold() if ch.isalnum() or ch.isspace())
    return " ".join(kept.split())


def firestore_module() -> ModuleType:
    """google.cloud.firestore, imported on first use, not at the webhook's cold start (~45 ms of
    CPU that /start, /help and a refused update never need)."""
    from google.cloud import firestore

    return firestore


@lru_cache(maxsize=1)
def client() -> firestore.Client:
    s = settings()
    return firestore_module().Client(project=s.project, database=s.firestore_database)


def where_equal(query: firestore.Query, name: str, value: Any) -> firestore.Query:
    from google.cloud.firestore_v1.base_query import FieldFilter

    return query.where(filter=FieldFilter(name, "==", value))


def _receipts() -> firestore.CollectionReference:
    return client().collection(RECEIPTS)


def get(receipt_id: str) -> Record | None:
    snapshot = _receipts().document(receipt_id).get(**CALL)
    return Record.from_document(snapshot.to_dict()) if snapshot.exists else None


def save(record: Record) -> bool:
    """Write the record unless its chat's data was deleted after it was sent. False: not written.

    One transaction reads the chat's deletion mark and writes the record, so a /delete running at
    the same moment either sees this record (and deletes it) or makes this write see its mark.
    """
    chat = client().collection(CHATS).document(str(record.chat_id))
    ref = _receipts().document(record.receipt_id)

    @firestore_module().transactional
    def write(transaction: firestore.Transaction) -> bool:
        mark = chat.get(transaction=transaction).to_dict() or {}
        senders = mark.get("senders_deleted_up_to") or {}
        for deleted_at in (mark.get("deleted_up_to"), senders.get(str(record.user_id))):
            if deleted_at is not None and (record.sent_at or 0) <= deleted_at:
                return False
        transaction.set(ref, record.document())
        return True

    return write(client().transaction())


def update(record: Record) -> None:
    """Write an edited record in place (the receipt was read: its document exists)."""
    _receipts().document(record.receipt_id).set(record.document(), **CALL)


def delete(receipt_id: str) -> None:
    """Delete the record; deleting one that is gone already is no error (a double tap)."""
    _receipts().document(receipt_id).delete(**CALL)


def _query(chat_id: int, **equal: Any) -> firestore.Query:
    query = where_equal(_receipts(), "chat_id", chat_id)
    for name, value in equal.items():
        query = where_equal(query, name, value)
    return query


def of_chat(chat_id: int, month: str | None = None, user_id: int | None = None) -> list[Record]:
    """The chat's records (of one month, of one sender), oldest first."""
    equal: dict[str, Any] = {}
    if month is not None:
        equal["month"] = month
    if user_id is not None:
        equal["user_id"] = user_id
    records = [Record.from_document(s.to_dict()) for s in _query(chat_id, **equal).stream(**CALL)]
    return sorted(records, key=lambda r: (r.receipt.date or "", r.receipt.time or "", r.message_id))


def duplicate_of(record: Record) -> Record | None:
    """An earlier counted record of the same chat that this one repeats: the same fiscal document,
    the same merchant, date, time and total, the same photo, or the same bill (paid or not)."""
    for name, value in (
        ("fiscal_key", record.fiscal_key),
        ("fingerprint", record.fingerprint),
        ("file_unique_id", record.file_unique_id),
        ("bill_key", record.bill_key),
    ):
        if value is None:
            continue
        for snapshot in _query(record.chat_id, **{name: value}).stream(**CALL):
            other = Record.from_document(snapshot.to_dict())
            if other.receipt_id != record.receipt_id and other.counted:
                return other
    return None


def _merchant_doc(chat_id: int, merchant: str) -> firestore.DocumentReference:
    digest = hashlib.sha256(merchant_key(merchant).encode()).hexdigest()[:24]
    return client().collection(MERCHANT_CATEGORIES).document(f"{chat_id}_{digest}")


def remembered_category(chat_id: int, merchant: str | None) -> Category | None:
    if not merchant:
        return None
    snapshot = _merchant_doc(chat_id, merchant).get(**CALL)
    value = (snapshot.to_dict() or {}).get("category") if snapshot.exists else None
    return Category(value) if value in Category._value2member_map_ else None


def remember_category(chat_id: int, merchant: str, category: Category) -> None:
    _merchant_doc(chat_id, merchant).set({"chat_id": chat_id, "category": category.value}, **CALL)


class PendingFix(BaseModel):
    receipt_id: str
    field: FixField
    user_id: int
    expires_at: dt.datetime  # a TTL policy on this field removes old prompts


def _pending_doc(chat_id: int, prompt_message_id: int) -> firestore.DocumentReference:
    return client().collection(PENDING_FIXES).document(f"{chat_id}_{prompt_message_id}")


def ask_fix(chat_id: int, prompt_message_id: int, fix: PendingFix) -> None:
    doc = fix.model_dump(mode="json", exclude={"expires_at"}) | {
        "chat_id": chat_id,
        "expires_at": fix.expires_at,
    }
    _pending_doc(chat_id, prompt_message_id).set(doc, **CALL)


def pending_fix(chat_id: int, prompt_message_id: int) -> PendingFix | None:
    """The fix the prompt asked for, unless it expired (the TTL policy deletes within a day)."""
    snapshot = _pending_doc(chat_id, prompt_message_id).get(**CALL)
    if not snapshot.exists:
        return None
    fix = PendingFix.model_validate(snapshot.to_dict())
    return fix if fix.expires_at > dt.datetime.now(dt.UTC) else None


def fix_done(chat_id: int, prompt_message_id: int) -> None:
    _pending_doc(chat_id, prompt_message_id).delete(**CALL)


def delete_chat(chat_id: int, up_to: int) -> int:
    """Delete every record of the chat sent up to ``up_to`` (unix seconds), and its categories,
    prompts and albums. The mark is written first: a receipt still being read when this runs is not saved."""
    client().collection(CHATS).document(str(chat_id)).set({"deleted_up_to": up_to}, merge=True, **CALL)
    deleted = 0
    for collection in (RECEIPTS, MERCHANT_CATEGORIES, PENDING_FIXES, ALBUMS):
        query = where_equal(client().collection(collection), "chat_id", chat_id)
        deleted += _delete_all(query, count=collection == RECEIPTS)
    return deleted


def delete_sender(chat_id: int, user_id: int, up_to: int) -> list[str]:
    """Delete one sender's records in a group (sent up to ``up_to``), their open prompts and albums.
    The receipt ids deleted, for their images. As with ``delete_chat``, the mark goes first."""
    marks = {"senders_deleted_up_to": {str(user_id): up_to}}
    client().collection(CHATS).document(str(chat_id)).set(marks, merge=True, **CALL)
    mine = _query(chat_id, user_id=user_id)
    deleted = [snapshot.id for snapshot in mine.select([]).stream(**CALL)]
    _delete_all(mine, count=False)
    for collection in (PENDING_FIXES, ALBUMS):
        of_chat = where_equal(client().collection(collection), "chat_id", chat_id)
        _delete_all(where_equal(of_chat, "user_id", user_id), count=False)
    return deleted


def migrated_from(chat_id: int) -> list[int]:
    """The chats whose data moved to this one (a group that became this supergroup)."""
    snapshot = client().collection(CHATS).document(str(chat_id)).get(**CALL)
    return list((snapshot.to_dict() or {}).get("migrated_from") or []) if snapshot.exists else []


def move_chat(old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its records and remembered categories belong to the new chat
    id (their receipt ids stay). Safe to repeat. Returns the number of records moved."""
    new_chat = client().collection(CHATS).document(str(new_chat_id))
    new_chat.set({"migrated_from": firestore_module().ArrayUnion([old_chat_id])}, merge=True, **CALL)
    moved = 0
    for refs in _chunks(s.reference for s in _query(old_chat_id).select([]).stream(**CALL)):
        batch = client().batch()
        for ref in refs:
            batch.update(ref, {"chat_id": new_chat_id})
        batch.commit(**CALL)
        moved += len(refs)
    old = where_equal(client().collection(MERCHANT_CATEGORIES), "chat_id", old_chat_id)
    for snapshot in old.stream(**CALL):
        value = (snapshot.to_dict() or {}).get("category")
        if value in Category._value2member_map_:
            digest = snapshot.id.rpartition("_")[2]
            client().collection(MERCHANT_CATEGORIES).document(f"{new_chat_id}_{digest}").set(
                {"chat_id": new_chat_id, "category": value}, **CALL
            )
        snapshot.reference.delete(**CALL)
    return moved


# -- cost caps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    """At most ``limit`` receipts counted under ``key`` (a scope and its window, e.g. one user's day)."""

    key: str
    limit: int


def count_receipt(receipt_id: str, quotas: Sequence[Quota], expires_at: dt.datetime) -> Quota | None:
    """Count one receipt against every quota, once however often its update comes. The first quota
    it would overrun (then nothing stays counted for it), or None: counted, now or before.

    One batch creates the receipt's mark and increments every counter on the server, and its
    results are the counts after this receipt. No transaction: ten photos of an album at once
    would fight over the same documents. A receipt is let in only when no count passed its limit,
    so concurrent receipts never get in past a cap; an overrun is given back. A mark that exists
    means an earlier delivery counted it. Any other fault raises: the caller refuses the receipt
    for now, so the caps fail closed. Left open, both needing a reply lost after the write was
    applied: a count whose result never arrived, or a give-back that failed for good, leaves the
    mark, so a re-send of that receipt is let in (the counters then stay one too high).
    """
    counted = client().collection(QUOTA_RECEIPTS).document(receipt_id)
    counters = [client().collection(QUOTAS).document(quota.key) for quota in quotas]
    batch = client().batch()
    batch.create(counted, {"expires_at": expires_at})
    for ref in counters:
        batch.set(ref, {"count": firestore_module().Increment(1), "expires_at": expires_at}, merge=True)
    try:
        results = batch.commit(**COUNT_CALL)
    except gexc.AlreadyExists:  # the mark exists (not Aborted, its sibling: that applied nothing)
        return None
    counts = [int(result.transform_results[0].integer_value) for result in results[1:]]
    spent = next((quota for quota, count in zip(quotas, counts, strict=True) if count > quota.limit), None)
    if spent is not None:
        give_back = client().batch()
        # Only while the mark exists: a give-back applied once and sent again must not subtract twice.
        give_back.delete(counted, option=client().write_option(exists=True))
        for ref in counters:
            give_back.set(ref, {"count": firestore_module().Increment(-1)}, merge=True)
        try:
            give_back.commit(**COUNT_CALL)
        except (gexc.NotFound, gexc.FailedPrecondition):
            pass  # an earlier try of this give-back was applied
    return spent


def first_notice(key: str, expires_at: dt.datetime) -> bool:
    """True the first time a notice is noted under ``key``: the one "limit reached" per window."""
    try:
        client().collection(QUOTA_NOTICES).document(key).create({"expires_at": expires_at}, **CALL)
    except gexc.AlreadyExists:
        return False
    return True


def forget_notice(key: str) -> None:
    """The notice could not be sent after all: the next refusal sends it."""
    client().collection(QUOTA_NOTICES).document(key).delete(**CALL)


def _delete_all(query: firestore.Query, count: bool) -> int:
    deleted = 0
    for refs in _chunks(snapshot.reference for snapshot in query.select([]).stream(**CALL)):
        batch = client().batch()
        for ref in refs:
            batch.delete(ref)
        batch.commit(**CALL)
        deleted += len(refs) if count else 0
    return deleted


def _chunks(refs: Iterator[firestore.DocumentReference]) -> Iterator[list[firestore.DocumentReference]]:
    chunk: list[firestore.DocumentReference] = []
    for ref in refs:
        chunk.append(ref)
        if len(chunk) == BATCH_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
