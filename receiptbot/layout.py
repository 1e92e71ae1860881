"""Every Cloud Storage object name and object metadata key, in one place.

Names derive from the Telegram message, so a re-sent update or a redelivered event maps to
the same objects and create-only writes turn repeats into no-ops.
"""

from __future__ import annotations

# The raw photo's metadata key for the id of the "reading your receipt…" message (a string, as
# every metadata value is).
STATUS_METADATA_KEY = "status_message_id"


def receipt_id(chat_id: int, message_id: int) -> str:
    return f"{chat_id}_{message_id}"


def raw_photo(rid: str) -> str:
    return f"raw/{rid}"


def processed_image(rid: str) -> str:
    return f"processed/{rid}.jpg"


def claim(step: str, rid: str) -> str:
    """A small create-only object: whoever creates it owns `step` for this receipt."""
    return f"claims/{step}/{rid}"


FAILED_PREFIX = "failed/"


def failed_photo(rid: str) -> str:
    """Dead-lettered receipts are kept here (outside raw/, so lifecycle deletion spares them)."""
    return f"{failed_prefix(rid)}photo"


def failed_event(rid: str) -> str:
    return f"{failed_prefix(rid)}event.json"


def failed_prefix(rid: str) -> str:
    """Everything kept of one dead-lettered receipt (in the raw bucket)."""
    return f"{FAILED_PREFIX}{rid}/"


def chat_prefixes(chat_id: int) -> dict[str, list[str]]:
    """Per bucket role ("raw", "work"), the prefixes that hold this chat's images (/delete; the
    records are in Firestore).

    The answer claims are left: they hold only ids, and they keep a late redelivery from answering.
    The cost caps' counters are not here at all (Firestore), so /delete never resets them.
    """
    rid = f"{chat_id}_"  # receipt_id()'s prefix: the trailing "_" keeps chat 12 apart from chat 123
    return {
        "raw": [raw_photo(rid), f"{FAILED_PREFIX}{rid}"],
        "work": [f"processed/{rid}"],
    }
