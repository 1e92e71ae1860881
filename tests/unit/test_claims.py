"""The claim algorithm (receiptbot.cloud.claims) against the in-memory storage fake.

A claim decides which instance does a step for a receipt: the tests play two instances
against one bucket, with a clock of their own, so a crash and the claim timeout take no time.
"""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import pytest
from fakes import FakeStorageClient

from receiptbot.cloud import claims, storage
from receiptbot.cloud.claims import ClaimState

BUCKET = "work"
NAME = "claims/answer/1_2"
TIMEOUT = 150.0


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeStorageClient:
    client = FakeStorageClient()
    monkeypatch.setattr(storage, "client", lambda: client)
    return client


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """claims' time.time(), set by the test (`clock.now = ...`)."""
    fixed = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(claims, "time", SimpleNamespace(time=lambda: fixed.now))
    return fixed


def state_of(fake: FakeStorageClient) -> str | None:
    body = fake.objects(BUCKET).get(NAME)
    return None if body is None else json.loads(body)["state"]


def test_the_first_claimant_takes_the_step_and_a_second_is_told_busy(fake, clock) -> None:
    state, held = claims.claim(BUCKET, NAME, TIMEOUT)
    assert state is ClaimState.TAKEN and held is not None
    assert state_of(fake) == "pending"

    clock.now += TIMEOUT - 1  # still fresh: its holder may be working on it
    assert claims.claim(BUCKET, NAME, TIMEOUT) == (ClaimState.BUSY, None)


def test_a_completed_step_is_done_for_every_later_claimant(fake, clock) -> None:
    _, held = claims.claim(BUCKET, NAME, TIMEOUT)
    assert not claims.is_done(BUCKET, NAME)
    held.complete()

    assert claims.is_done(BUCKET, NAME)
    clock.now += 10 * TIMEOUT  # done never goes stale
    assert claims.claim(BUCKET, NAME, TIMEOUT) == (ClaimState.DONE, None)


def test_is_done_is_false_without_a_claim(fake) -> None:
    assert not claims.is_done(BUCKET, NAME)


def test_a_released_claim_is_taken_at_once_by_the_next_claimant(fake, clock) -> None:
    _, held = claims.claim(BUCKET, NAME, TIMEOUT)
    held.release()
    assert state_of(fake) is None

    state, again = claims.claim(BUCKET, NAME, TIMEOUT)  # no wait for the timeout
    assert state is ClaimState.TAKEN and again is not None


def test_a_stale_claim_left_by_a_crashed_holder_is_taken_over(fake, clock) -> None:
    claims.claim(BUCKET, NAME, TIMEOUT)  # its holder crashes and never completes nor releases

    clock.now += TIMEOUT + 1
    state, taken = claims.claim(BUCKET, NAME, TIMEOUT)
    assert state is ClaimState.TAKEN and taken is not None
    clock.now += 1  # the takeover wrote a fresh time: a third claimant waits for the new holder
    assert claims.claim(BUCKET, NAME, TIMEOUT) == (ClaimState.BUSY, None)


def test_a_holder_that_completes_late_does_not_clobber_the_new_holder(fake, clock) -> None:
    _, slow = claims.claim(BUCKET, NAME, TIMEOUT)
    clock.now += TIMEOUT + 1  # slow is still at work, but past the timeout it counts as crashed
    _, new = claims.claim(BUCKET, NAME, TIMEOUT)

    slow.complete()  # too late: the step is the new holder's
    assert state_of(fake) == "pending" and not claims.is_done(BUCKET, NAME)
    slow.release()  # nor can it give back what is no longer its own
    assert state_of(fake) == "pending"

    new.complete()
    assert claims.is_done(BUCKET, NAME)


def test_a_claim_released_between_the_create_and_the_read_is_taken(fake, clock, monkeypatch) -> None:
    _, held = claims.claim(BUCKET, NAME, TIMEOUT)
    real_read = storage.read_versioned

    def released_first(bucket: str, name: str) -> storage.Versioned | None:
        held.release()  # the holder gives the step back just after our create-only write failed
        return real_read(bucket, name)

    monkeypatch.setattr(storage, "read_versioned", released_first)
    state, taken = claims.claim(BUCKET, NAME, TIMEOUT)
    assert state is ClaimState.TAKEN and taken is not None


def test_of_two_instances_taking_over_the_same_stale_claim_one_wins(fake, clock, monkeypatch) -> None:
    claims.claim(BUCKET, NAME, TIMEOUT)
    clock.now += TIMEOUT + 1
    real_read = storage.read_versioned
    rival: list[ClaimState] = []
    raced = False

    def read_then_rival_takes_over(bucket: str, name: str) -> storage.Versioned | None:
        nonlocal raced
        seen = real_read(bucket, name)
        if not raced:  # both saw the stale claim; the rival writes its takeover first
            raced = True
            rival.append(claims.claim(bucket, name, TIMEOUT)[0])
        return seen

    monkeypatch.setattr(storage, "read_versioned", read_then_rival_takes_over)
    ours = claims.claim(BUCKET, NAME, TIMEOUT)

    assert rival == [ClaimState.TAKEN]
    assert ours == (ClaimState.BUSY, None)


@pytest.mark.parametrize("stale", [False, True], ids=["new claim", "stale claim"])
def test_of_many_concurrent_claimants_exactly_one_takes_the_step(monkeypatch, clock, stale: bool) -> None:
    fake = FakeStorageClient(latency=0.002)  # a round trip, so the claimants interleave
    monkeypatch.setattr(storage, "client", lambda: fake)
    if stale:
        claims.claim(BUCKET, NAME, TIMEOUT)
        clock.now += TIMEOUT + 1
    start = threading.Barrier(8)
    states: list[ClaimState] = []

    def claimant() -> None:
        start.wait()
        states.append(claims.claim(BUCKET, NAME, TIMEOUT)[0])

    threads = [threading.Thread(target=claimant) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(s.value for s in states) == ["busy"] * 7 + ["taken"]
