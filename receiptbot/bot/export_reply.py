"""The one answer per /export: the file, or (when every attempt failed) the dead-letter notice.

Whoever answers first takes the request's claim, named after the /export message, so a
redelivered request does not send the file twice and a late failure notice never follows the file.
This module imports no spreadsheet library: the dead-letter function uses it too.
"""

from __future__ import annotations

from receiptbot import faults, layout
from receiptbot import logs as log
from receiptbot.cloud import claims
from receiptbot.config import settings
from receiptbot.contract import ExportRequested


def take_export_claim(event: ExportRequested) -> claims.Claim | None:
    """The claim, or None when the request was answered already.

    Raises ``faults.Busy`` while another instance holds it: Pub/Sub delivers the request again
    later, when the claim is settled (answered, released, or stale and taken over).
    """
    s = settings()
    request_id = layout.receipt_id(event.chat_id, event.message_id)  # the same <chat>_<message> form
    state, claim = claims.claim(s.work_bucket, layout.claim("export", request_id), s.claim_timeout_seconds)
    if state is claims.ClaimState.BUSY:
        log.info("busy: another instance is answering this export, retry later", chat_id=event.chat_id)
        raise faults.Busy(f"export {request_id} is being answered by another instance")
    return claim
