"""Claims: who does a step for a receipt.

A claim is a small object whose name derives from the receipt (layout.claim), so every instance
and every redelivery asks about the same one. It is created create-only: only one writer can
create it, and that writer owns the step. A claim left "pending" by a crashed instance is taken
over once it is older than the claim timeout. Every later write is matched to the generation its
holder wrote, so a holder that was taken over can neither mark the step done nor give it back.

The claim is a lease: a holder that may have run past it (a slow model call, a Telegram wait)
renews it just before it answers. The renewal is matched to its generation too, so a holder that
was taken over finds out then, and leaves the answer to the taker; one that renews holds a fresh
lease for its answer. Once the answer went out, "done" is written with retries, and a failure
to write it never makes the step run again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import Enum

from receiptbot import logs as log
from receiptbot.cloud import storage

COMPLETE_ATTEMPTS = 3


class ClaimState(Enum):
    TAKEN = "taken"  # we own the step now
    BUSY = "busy"  # someone else holds a fresh claim: try again later
    DONE = "done"  # the step was completed


@dataclass
class Claim:
    bucket: str
    name: str
    generation: int

    def renew(self) -> bool:
        """Renew the lease just before answering. False: the claim was taken over as stale
        meanwhile, so the taker answers, and we must not."""
        generation = _put_claim(self.bucket, self.name, "pending", self.generation)
        if generation is None:
            return False
        self.generation = generation
        return True

    def complete(self) -> None:
        """Mark the step done; a no-op when we were taken over as stale (the new holder marks it).

        Called after the answer went out, so it never raises: a storage fault is retried a few
        times, then logged. Raising would redeliver the event and answer a second time; the
        claim left "pending" is only taken over by a copy of the event delivered after its lease.
        """
        error = ""
        for attempt in range(COMPLETE_ATTEMPTS):
            if attempt:  # 1 s, then 2 s: a short storage fault passes, the handler's time stays
                time.sleep(attempt)
            try:
                _put_claim(self.bucket, self.name, "done", self.generation)
                return
            except storage.TRANSIENT_ERRORS as exc:
                error = type(exc).__name__
        log.error("claim: answered, but could not be marked done", claim=self.name, error=error)

    def release(self) -> None:
        """Give the step back (a transient fault): the next delivery takes it at once.

        A no-op when we were taken over: the new holder's claim stays.
        """
        storage.delete(self.bucket, self.name, if_generation_match=self.generation)


def _put_claim(bucket: str, name: str, state: str, generation: int) -> int | None:
    body = json.dumps({"state": state, "at": time.time()}).encode()
    return storage.compare_and_swap(bucket, name, body, "application/json", generation)


def claim(bucket: str, name: str, timeout_seconds: float) -> tuple[ClaimState, Claim | None]:
    """Try to own a step. Never raises on contention: the state says what happened."""
    generation = _put_claim(bucket, name, "pending", 0)
    if generation is not None:
        return ClaimState.TAKEN, Claim(bucket, name, generation)
    current = storage.read_versioned(bucket, name)
    if current is None:  # released between our two calls: try once more
        return claim(bucket, name, timeout_seconds)
    body = json.loads(current.data)
    if body.get("state") == "done":
        return ClaimState.DONE, None
    if time.time() - float(body.get("at", 0)) < timeout_seconds:
        return ClaimState.BUSY, None
    # Stale: its holder crashed. Take it over, but only if nobody else just did.
    generation = _put_claim(bucket, name, "pending", current.generation)
    if generation is None:
        return ClaimState.BUSY, None
    return ClaimState.TAKEN, Claim(bucket, name, generation)


def is_done(bucket: str, name: str) -> bool:
    body = storage.read_if_exists(bucket, name)
    return body is not None and json.loads(body).get("state") == "done"
