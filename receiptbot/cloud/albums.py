"""Albums in Firestore: the photos Telegram sent as one album (one ``media_group_id``), so that
they share one status message and get one summary.

One document per album in ``albums``, its id ``<chat>_<media_group_id>``:
- ``parts``: the message ids of its photos; ``last_joined_at``: when the newest one joined (unix s)
- ``first_part``: the photo whose update sends the status message; ``status_message_id``: that message
- ``outcomes``: per part (its message id as a string), its record's id, or ``UNREADABLE``
- ``summarised``: set once, when every part is settled and the wait after the last one is over;
  a photo that comes later is not a part (it is answered alone)
- ``joined``: the parts were joined into one record (the first part's)
- ``expires_at``: old albums may be removed by a TTL policy on it

Every change is a conditional write of the album's document (on the update time it was read at),
so photos arriving at the same moment all count, and exactly one settle marks the album complete.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from google.api_core import exceptions as gexc
from pydantic import BaseModel, Field

from receiptbot.cloud import records
from receiptbot.cloud.records import ALBUMS, CALL, Record

if TYPE_CHECKING:
    from google.cloud import firestore

UNREADABLE = "unreadable"
KEPT_FOR = dt.timedelta(days=7)
# Ten photos of one album arrive at once and each writes the same document: a write that lost the
# race reads again and tries again (each round, one of them wins).
WRITE_ATTEMPTS = 30
RETRY_JITTER_SECONDS = 0.05


class Album(BaseModel):
    album_id: str
    chat_id: int
    user_id: int | None = None
    language: str = "en"
    parts: list[int]
    first_part: int
    last_joined_at: float
    status_message_id: int | None = None
    outcomes: dict[str, str] = Field(default_factory=dict)
    summarised: bool = False
    joined: bool = False

    @property
    def in_order(self) -> list[int]:
        """The parts in the order they were sent (Telegram numbers an album's messages in order)."""
        return sorted(self.parts)

    @property
    def settled(self) -> bool:
        return all(str(part) in self.outcomes for part in self.parts)

    def document(self) -> dict:
        return self.model_dump() | {"expires_at": dt.datetime.now(dt.UTC) + KEPT_FOR}


def _ref(album_id: str) -> firestore.DocumentReference:
    return records.client().collection(ALBUMS).document(album_id)


def get(album_id: str) -> Album | None:
    snapshot = _ref(album_id).get(**CALL)
    return Album.model_validate(snapshot.to_dict()) if snapshot.exists else None


Result = TypeVar("Result")


def _change(album_id: str, change: Callable[[Album | None], tuple[Album | None, Result]]) -> Result:
    """Read the album, and write what ``change`` makes of it (None: nothing to write) only if nobody
    wrote it meanwhile (its update time, or create-only); read again when someone did. Not a
    transaction: the emulator's transaction locks time out when ten photos write at once."""
    ref = _ref(album_id)
    for _ in range(WRITE_ATTEMPTS):
        snapshot = ref.get(**CALL)
        album = Album.model_validate(snapshot.to_dict()) if snapshot.exists else None
        changed, result = change(album)
        if changed is None:
            return result
        try:
            if snapshot.exists:
                option = records.client().write_option(last_update_time=snapshot.update_time)
                ref.update(changed.document(), option=option, **CALL)
            else:
                ref.create(changed.document(), **CALL)
            return result
        except (gexc.Conflict, gexc.FailedPrecondition):  # another photo of the album wrote first
            time.sleep(random.uniform(0, RETRY_JITTER_SECONDS))
    raise gexc.Aborted(f"album {album_id}: too many concurrent writes")


def join(
    album_id: str, chat_id: int, user_id: int | None, language: str, message_id: int
) -> tuple[Album | None, bool]:
    """Add a photo to its album (created by its first photo). The album, and whether this call
    added the photo (False: a re-sent update). (None, False): the album was summarised before this
    photo came, so it is not a part of it."""

    def add(album: Album | None) -> tuple[Album | None, tuple[Album | None, bool]]:
        if album is not None and message_id in album.parts:
            return None, (album, False)
        if album is not None and album.summarised:
            return None, (None, False)
        if album is None:
            album = Album(
                album_id=album_id,
                chat_id=chat_id,
                user_id=user_id,
                language=language,
                parts=[message_id],
                first_part=message_id,
                last_joined_at=time.time(),
            )
        else:
            album = album.model_copy(
                update={"parts": [*album.parts, message_id], "last_joined_at": time.time()}
            )
        return album, (album, True)

    return _change(album_id, add)


def set_status(album_id: str, status_message_id: int) -> Album:
    """Keep the album's status message id, unless a copy of the first photo's update kept its own
    first: the album as it is now (its ``status_message_id`` is the one to use)."""

    def keep(album: Album | None) -> tuple[Album | None, Album]:
        if album is None:
            raise LookupError(album_id)  # created before the status message is sent: never gone here
        if album.status_message_id is not None:
            return None, album
        album = album.model_copy(update={"status_message_id": status_message_id})
        return album, album

    return _change(album_id, keep)


def settle(
    album_id: str, message_id: int, outcome: str | None, wait_seconds: float
) -> tuple[Album, float | None]:
    """Note what became of one part (``outcome``: its record id or UNREADABLE; None: only look
    again), and mark the album summarised when every part is settled and the last one joined
    ``wait_seconds`` ago. The album, and the seconds still to wait before it can be (None: parts
    are still being read, or it is summarised)."""

    def note(album: Album | None) -> tuple[Album | None, tuple[Album, float | None]]:
        if album is None:
            raise LookupError(album_id)  # a part's event is published only after it joined
        before = album
        if outcome is not None and str(message_id) not in album.outcomes:
            album = album.model_copy(update={"outcomes": {**album.outcomes, str(message_id): outcome}})
        wait = None
        if album.settled and not album.summarised:
            wait = album.last_joined_at + wait_seconds - time.time()
            if wait <= 0:
                album, wait = album.model_copy(update={"summarised": True}), None
        return (None if album == before else album), (album, wait)

    return _change(album_id, note)


def join_records(album: Album, joined: Record, others: list[str]) -> None:
    """One write: the joined record in place of the first part's, the other parts' records
    deleted, the album marked joined. (A press repeated after a fault finds it joined.)"""
    batch = records.client().batch()
    batch.set(records.client().collection(records.RECEIPTS).document(joined.receipt_id), joined.document())
    for receipt_id in others:
        batch.delete(records.client().collection(records.RECEIPTS).document(receipt_id))
    batch.update(_ref(album.album_id), {"joined": True})
    batch.commit(**CALL)
