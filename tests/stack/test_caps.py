"""The cost caps on the real local stack: counted by server-side increments in the Firestore
emulator, exactly the budget under concurrency, once per receipt however often Telegram sends its
update, told once per window, and never reset by /delete. The webhook's memory under an album of
ten 20 MB documents: each is streamed into Cloud Storage, never held whole. And the answer claim
as a lease, so that a slow holder (a long model call) costs no second answer."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from google.api_core import exceptions as gexc
from helpers import SAMPLE, running_stack, user_of
from pydantic import SecretStr

from devstack.stack import LocalStack, free_port, wait_for_port
from receiptbot.bot import ratelimit
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import claims, records, storage
from receiptbot.config import Settings
from receiptbot.telegram.api import BotApi
from receiptbot.telegram.errors import FileTooLarge

USER_CAP = 2
TWENTY_MB = 20_000_000  # Telegram's download limit for bots
_chats = itertools.count(8_100_000)
RECEIPTS_AT_ONCE = 300


def next_day_utc() -> str:
    return time.strftime(
        "%H:%M", time.gmtime((time.time() // ratelimit.DAY_SECONDS + 1) * ratelimit.DAY_SECONDS)
    )


@pytest.fixture(scope="module")
def capped_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    env = {"USER_DAILY_RECEIPTS": str(USER_CAP)}
    with running_stack(tmp_path_factory, "capped", engine="gemini", extra_env=env) as running:
        yield running


def test_concurrent_receipts_take_exactly_the_budget_and_never_more(capped_stack: LocalStack) -> None:
    # 300 receipts at once against a budget of 20, on four counters they all share (as one chat's
    # window and day, its sender's day and a global shard are): a lost update, or letting a receipt
    # in after lost races, would admit more. Firestore aborts some of these contended writes
    # (ABORTED, a sibling of ALREADY_EXISTS under 409: taking it for "counted before" let receipts
    # in). A receipt whose counters could not be written is refused for now (Transient: Telegram
    # sends it again), and admitted or refused when it comes back.
    scope = next(_chats)
    quotas = [records.Quota(f"probe_{scope}_{n}", limit) for n, limit in enumerate((20, 1000, 1000, 1000))]
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    def send(n: int) -> str:
        try:
            return "refused" if records.count_receipt(f"{scope}_{n}", quotas, expires) else "admitted"
        except records.TRANSIENT_ERRORS:
            return "again"

    with ThreadPoolExecutor(max_workers=60) as pool:
        first = list(pool.map(send, range(RECEIPTS_AT_ONCE)))
    again = [n for n, outcome in enumerate(first) if outcome == "again"]
    final = [outcome for outcome in first if outcome != "again"] + [send(n) for n in again]
    print(f"caps_concurrency first_round={ {o: first.count(o) for o in set(first)} }")
    assert final.count("admitted") == 20 and final.count("refused") == RECEIPTS_AT_ONCE - 20
    assert [send(n) for n in range(RECEIPTS_AT_ONCE)].count("admitted") == 20  # each receipt counted once


def test_a_cap_is_told_once_counted_once_per_receipt_and_not_reset_by_delete(
    capped_stack: LocalStack,
) -> None:
    user = user_of(capped_stack, chat_id=next(_chats))
    telegram = capped_stack.url("telegram")
    # The first receipt's getFile fails once (Telegram is down): a 503, and Telegram sends it again.
    failure = {"method": "getFile", "error_code": 502, "description": "Bad Gateway"}
    requests.post(f"{telegram}/_standin/failures", json=failure, timeout=10)
    first = user.photo_update(SAMPLE.read_bytes())
    assert user.post(first).status == 503
    assert user.post(first).status == 200
    second = user.send_photo(SAMPLE.read_bytes())  # the re-send did not take a second slot
    assert "15.69" in user.wait_for_answer(second.message_id)["text"]

    over = [user.send_photo(SAMPLE.read_bytes()) for _ in range(2)]
    notice = TEXTS["cap_user"]["en"].format(limit=USER_CAP, until=next_day_utc())
    assert [m["text"] for m in user.replies_to(over[0].message_id)] == [notice]
    assert user.replies_to(over[1].message_id) == []  # once per window, not once per photo

    user.say("/delete")
    confirm = sorted(user.chat(), key=lambda m: m["message_id"])[-1]
    assert user.press(confirm, "Yes, delete").status == 200
    after_delete = user.send_photo(SAMPLE.read_bytes())
    assert user.replies_to(after_delete.message_id) == []  # still capped, and not told again
    texts = [m["text"] for m in user.chat()]
    assert texts.count(notice) == 1 and TEXTS["received"]["en"] not in texts[-1:]


# -- memory: an album of ten 20 MB documents at once -------------------------------------------


@pytest.fixture
def file_server(tmp_path) -> Iterator[tuple[BotApi, str]]:
    """A plain HTTP server (its own process) serving one 20 MB file at a Bot API file path, and a
    client for it: no stand-in in this process, whose buffers would count in its memory."""
    token = "123:memory"
    folder = tmp_path / "file" / f"bot{token}" / "documents"
    folder.mkdir(parents=True)
    (folder / "big.jpg").write_bytes(os.urandom(TWENTY_MB))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 10, server, "http.server")
        yield BotApi(SecretStr(token), f"http://127.0.0.1:{port}", timeout=60), "documents/big.jpg"
    finally:
        server.terminate()
        server.wait(10)


def peak_of_ten_at_once(store: Callable[[int], None]) -> int:
    """Python's peak allocation, in bytes, while ten threads each store one download."""
    tracemalloc.start()
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(store, range(10)))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ten_20_mb_documents_at_once_are_streamed_not_held(capped_stack, file_server) -> None:
    api, path = file_server
    bucket = Settings().raw_bucket
    run = next(_chats)

    def held(n: int) -> None:  # how the webhook stored a photo before: download whole, then upload
        storage.create(bucket, f"bench/{run}/held-{n}", api.download(path, TWENTY_MB), "image/jpeg")

    def streamed(n: int) -> None:  # how it stores one now
        with api.open_download(path, TWENTY_MB) as photo:
            assert storage.create_streamed(bucket, f"bench/{run}/streamed-{n}", photo, "image/jpeg")

    peaks = {"held": peak_of_ten_at_once(held), "streamed": peak_of_ten_at_once(streamed)}
    mib = {name: round(peak / 2**20, 1) for name, peak in peaks.items()}
    print(f"webhook_10x20MB_peak_mib held={mib['held']} streamed={mib['streamed']}")
    stored = storage.find(bucket, f"bench/{run}/streamed-3")
    assert stored is not None and stored.size == TWENTY_MB
    assert peaks["streamed"] < 64 * 2**20 < peaks["held"]  # the webhook has 512 MiB for 10 requests
    with api.open_download(path, TWENTY_MB - 1) as photo, pytest.raises(FileTooLarge):
        storage.create_streamed(bucket, f"bench/{run}/too-large", photo, "image/jpeg")
    assert storage.find(bucket, f"bench/{run}/too-large") is None


# -- the answer claim as a lease: a slow holder never answers after a taker ------------------------


def test_a_holder_that_outlived_its_claim_finds_out_before_it_answers(capped_stack: LocalStack) -> None:
    bucket, name = Settings().work_bucket, f"claims/answer/lease-{next(_chats)}"
    state, holder = claims.claim(bucket, name, timeout_seconds=1)
    assert state is claims.ClaimState.TAKEN
    time.sleep(1.2)  # a slow model call: the claim is stale now
    state, taker = claims.claim(bucket, name, timeout_seconds=1)
    assert state is claims.ClaimState.TAKEN  # taken over, as a crashed holder's would be

    assert not holder.renew()  # the holder finds out before it answers, and does not
    assert taker.renew()  # the taker answers on a fresh lease: a third copy is busy meanwhile
    assert claims.claim(bucket, name, timeout_seconds=1)[0] is claims.ClaimState.BUSY
    holder.complete()  # a no-op for the holder taken over
    assert not claims.is_done(bucket, name)
    taker.complete()
    assert claims.claim(bucket, name, timeout_seconds=1)[0] is claims.ClaimState.DONE


def test_a_complete_that_fails_after_the_answer_does_not_raise(capped_stack, monkeypatch) -> None:
    # Raising would redeliver the event, and its next delivery would answer again. The emulator
    # cannot fail on cue, so the one call is made to fail here.
    bucket, name = Settings().work_bucket, f"claims/answer/lease-{next(_chats)}"
    _, holder = claims.claim(bucket, name, timeout_seconds=60)
    tries = []

    def unavailable(*_args: object, **_kwargs: object) -> None:
        tries.append(1)
        raise gexc.ServiceUnavailable("storage is down")

    monkeypatch.setattr(storage, "compare_and_swap", unavailable)
    monkeypatch.setattr(claims.time, "sleep", lambda _seconds: None)
    holder.complete()
    assert len(tries) == claims.COMPLETE_ATTEMPTS
    monkeypatch.undo()
    assert claims.claim(bucket, name, timeout_seconds=60)[0] is claims.ClaimState.BUSY  # not re-taken
