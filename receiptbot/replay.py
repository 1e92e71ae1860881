"""Sending dead-lettered receipts through the pipeline again (`make replay`).

The dead-letter step keeps each failed receipt as failed/<rid>/event.json and failed/<rid>/photo
in the raw bucket. Replaying one restores its raw photo if lifecycle deletion took it, clears its
answer claim so it can be answered again, publishes its event to receipts-uploaded, and only then
removes the failed/ copy: a crash half-way leaves the copy for the next replay.
"""

from __future__ import annotations

from google.api_core import exceptions as gexc

from receiptbot import log, paths, pubsub, storage
from receiptbot.contract import ReceiptUploaded
from receiptbot.settings import Settings, settings


def failed_events(s: Settings) -> list[ReceiptUploaded]:
    """Every receipt kept under failed/ (failed/<rid>/event.json beside failed/<rid>/photo)."""
    events = []
    for blob in storage.client().bucket(s.raw_bucket).list_blobs(prefix=paths.FAILED_PREFIX, **storage.CALL):
        rid = blob.name.removeprefix(paths.FAILED_PREFIX).split("/", 1)[0]
        if blob.name == paths.failed_event(rid):
            events.append(ReceiptUploaded.model_validate_json(blob.download_as_bytes(**storage.CALL)))
    return events


def replay_one(s: Settings, event: ReceiptUploaded) -> bool:
    """Send one kept receipt through again; False when its photo is gone for good."""
    rid = event.receipt_id
    bucket = storage.client().bucket(s.raw_bucket)
    if not storage.exists(s.raw_bucket, event.raw_object):
        try:
            bucket.copy_blob(bucket.blob(paths.failed_photo(rid)), bucket, event.raw_object, **storage.CALL)
        except gexc.NotFound:
            log.error("replay: neither the raw photo nor its failed/ copy exists, skipped", receipt_id=rid)
            return False
    try:
        storage.blob(s.work_bucket, paths.claim("answer", rid)).delete(**storage.CALL)
    except gexc.NotFound:
        pass  # never claimed (e.g. dead-lettered before any answer was tried)
    pubsub.publish(s.project, s.topic_uploaded, event)
    for name in (paths.failed_photo(rid), paths.failed_event(rid)):
        try:
            bucket.blob(name).delete(**storage.CALL)
        except gexc.NotFound:
            pass
    log.info("replay: receipt sent through the pipeline again", receipt_id=rid)
    return True


def replay_failed(s: Settings | None = None) -> list[str]:
    """Replay every kept receipt; the ids of those sent through again."""
    s = s or settings()
    return [event.receipt_id for event in failed_events(s) if replay_one(s, event)]
