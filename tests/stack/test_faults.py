"""Fault injection on the real local stack: nothing lost, nothing doubled (issue 5, (a) to (f)).

One stack for the file, with the Gemini engine (its stand-in can be told to fail or to be slow),
short Pub/Sub backoff (all seven attempts take about fifteen seconds) and a short claim timeout, so a
claim left by a killed process is taken over within the test.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from google.cloud import pubsub_v1
from helpers import SAMPLE, objects, published, running_stack, stored, user_of

from devstack.stack import PIPELINE, PROJECT, LocalStack
from devstack.user import INTERIM_TEXTS, TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from tools import replay

CLAIM_TIMEOUT_SECONDS = 4
FINAL_FAILURE = set(TEXTS["final_failure"].values())


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    with running_stack(
        tmp_path_factory,
        "faults",
        engine="gemini",
        min_backoff_seconds=1,
        max_backoff_seconds=3,
        # No offline answer on the last attempt: Gemini's failures go to the dead letters (test_c);
        # tests/stack/test_fallback.py has the offline answer.
        extra_env={"CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT_SECONDS), "OFFLINE_FALLBACK": "false"},
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def healthy_standins(fault_stack: LocalStack) -> Iterator[None]:
    """Every test starts, and leaves, the stand-ins healthy and fast."""
    yield
    with fault_stack.gemini.lock:
        fault_stack.gemini.fail_next, fault_stack.gemini.always_fail = [], None
        fault_stack.gemini.latency_seconds = 0.0
    with fault_stack.telegram.lock:
        fault_stack.telegram.failures.clear()


def final_texts(user: TelegramUser) -> list[str]:
    """Every answer the user has seen: each text a bot message ever showed, but the interim ones."""
    return [t for m in user.chat() for t in [*m["edits"], m["text"]] if t not in INTERIM_TEXTS]


# A second answer would come from a redelivered copy: the stack's longest backoff, plus the work.
QUIET_SECONDS = 3 + 1


def assert_answered_once(user: TelegramUser, message_id: int, timeout: float = 60) -> dict:
    answer = user.wait_for_answer(message_id, timeout=timeout)
    # Quiet for QUIET_SECONDS after the answer (checking users in a row, only the first one waits).
    time.sleep(max(0.0, (answer["edited_at"] or answer["at"]) + QUIET_SECONDS - time.time()))
    assert len(user.chat()) == 1, user.chat()
    assert final_texts(user) == [answer["text"]]
    return answer


def publish_again(topic: str, event: dict) -> None:
    """A Pub/Sub redelivery, as the emulator or the cloud may do it at any time."""
    publisher = pubsub_v1.PublisherClient()
    publisher.publish(publisher.topic_path(PROJECT, topic), json.dumps(event).encode()).result(timeout=10)


def first_event_of_each(topic: str, rids: list[str], timeout: float = 10) -> list[dict]:
    """One published event per receipt id, read off the topic's tap."""
    found: dict[str, dict] = {}
    deadline = time.monotonic() + timeout
    while set(found) != set(rids) and time.monotonic() < deadline:
        for event in published(topic, wait=1):
            if event["receipt_id"] in rids:
                found.setdefault(event["receipt_id"], event)
    assert set(found) == set(rids), f"no event on {topic} for {set(rids) - set(found)}"
    return list(found.values())


def test_a_storage_outage_answers_5xx_fast_and_loses_nothing(fault_stack: LocalStack) -> None:
    users = [user_of(fault_stack) for _ in range(3)]
    updates = [user.photo_update(SAMPLE.read_bytes()) for user in users]
    fault_stack.kill("gcs", signal.SIGTERM)
    try:
        for user, update in zip(users, updates, strict=True):
            sent = user.post(update)
            assert sent.status >= 500
            # Well within Telegram's patience: the storage client must not retry for two minutes.
            assert sent.acked_at - sent.posted_at < 8
    finally:
        fault_stack.restart("gcs")
    for user, update in zip(users, updates, strict=True):  # Telegram re-sends what got no 200
        assert user.post(update).status == 200
    for user, update in zip(users, updates, strict=True):
        sent_id = update["message"]["message_id"]
        assert "15.69" in assert_answered_once(user, sent_id)["text"]
        raw = layout.raw_photo(layout.receipt_id(user.chat_id, sent_id))
        assert objects("RAW_BUCKET", raw) == {raw: SAMPLE.read_bytes()}


def test_a_storage_lost_after_the_status_message_withdraws_it_and_the_resend_answers_once(
    fault_stack: LocalStack,
) -> None:
    # The status message goes out, then storing the photo fails: the message is deleted (no step
    # would ever edit it), Telegram gets a 5xx, and its re-send is answered in one message.
    user = user_of(fault_stack)
    update = user.photo_update(SAMPLE.read_bytes())
    with fault_stack.telegram.lock:
        fault_stack.telegram.failures.append({"method": "sendMessage", "delay_seconds": 3, "count": 1})
    posted: dict = {}
    poster = threading.Thread(target=lambda: posted.update(sent=user.post(update)))
    poster.start()
    deadline = time.monotonic() + 10
    while not any(
        c["method"] == "sendMessage" and c["params"].get("chat_id") == user.chat_id
        for c in list(fault_stack.telegram.calls)
    ):
        assert time.monotonic() < deadline, "the webhook never sent its status message"
        time.sleep(0.05)
    fault_stack.kill("gcs", signal.SIGTERM)  # while the stand-in holds the status message
    try:
        poster.join(timeout=30)
        assert posted["sent"].status >= 500
        assert user.chat() == []  # withdrawn
    finally:
        fault_stack.restart("gcs")
    assert user.post(update).status == 200
    answer = assert_answered_once(user, update["message"]["message_id"])
    assert "15.69" in answer["text"]


@pytest.mark.parametrize("codes", [[429, 429, 429], [500, 503, 500]], ids=["429", "5xx"])
def test_b_gemini_failing_the_first_calls_still_answers_each_receipt_once(
    fault_stack: LocalStack, codes: list[int]
) -> None:
    fault_stack.gemini.fail_next = list(codes)
    users = [user_of(fault_stack) for _ in range(2)]
    sent = [user.send_photo(SAMPLE.read_bytes()) for user in users]
    assert [s.status for s in sent] == [200, 200]
    for user, s in zip(users, sent, strict=True):
        assert "15.69" in assert_answered_once(user, s.message_id)["text"]
    assert fault_stack.gemini.fail_next == []  # every scripted failure was met


def test_c_gemini_always_failing_tells_each_user_once_and_dead_letters(fault_stack: LocalStack) -> None:
    fault_stack.gemini.always_fail = 500
    users = [user_of(fault_stack) for _ in range(2)]
    sent = [user.send_photo(SAMPLE.read_bytes()) for user in users]
    rids = [layout.receipt_id(user.chat_id, s.message_id) for user, s in zip(users, sent, strict=True)]
    for user, s in zip(users, sent, strict=True):
        answer = assert_answered_once(user, s.message_id)
        assert answer["text"] in FINAL_FAILURE
        assert answer["edits"] == []  # a new message (the status one withdrawn): an edit would not notify
    dead = published("receipts-preprocessed-dead-letter", wait=3)
    for rid in rids:
        assert [e["receipt_id"] for e in dead].count(rid) >= 1
        kept = objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/")
        assert kept[layout.failed_photo(rid)] == SAMPLE.read_bytes()
        assert json.loads(kept[layout.failed_event(rid)])["receipt_id"] == rid

    # The model is back: `make replay` sends the kept receipts through again, and they are answered.
    fault_stack.gemini.always_fail = None
    replayed = replay.replay_failed()
    assert set(rids) <= set(replayed)
    for user, rid in zip(users, rids, strict=True):
        deadline = time.monotonic() + 30
        while "15.69" not in user.chat()[0]["text"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "15.69" in user.chat()[0]["text"]
        assert len(user.chat()) == 1
        assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}
        assert stored(rid) is not None


def test_d_repeated_updates_and_redelivered_messages_answer_once(fault_stack: LocalStack) -> None:
    concurrent, sequential = user_of(fault_stack), user_of(fault_stack)
    update_c = concurrent.photo_update(SAMPLE.read_bytes())
    update_s = sequential.photo_update(SAMPLE.read_bytes())
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(concurrent.post(update_c).status)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    statuses += [sequential.post(update_s).status for _ in range(3)]
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6

    rids = []
    for user, update in ((concurrent, update_c), (sequential, update_s)):
        message_id = update["message"]["message_id"]
        assert_answered_once(user, message_id)
        rids.append(layout.receipt_id(user.chat_id, message_id))
        assert list(objects("RAW_BUCKET", f"raw/{user.chat_id}_")) == [layout.raw_photo(rids[-1])]
    # Copies that raced the first one withdrew their "reading your receipt…" message.
    with fault_stack.telegram.lock:
        withdrawn = [m for m in fault_stack.telegram.deleted if m.chat_id == concurrent.chat_id]
        statuses_sent = [
            c
            for c in fault_stack.telegram.calls
            if c["method"] == "sendMessage" and c["params"].get("chat_id") == concurrent.chat_id
        ]
    assert len(statuses_sent) - len(withdrawn) == 1
    assert all(m.text in INTERIM_TEXTS for m in withdrawn)
    # Every copy of an update published the status message the chat shows: the one edited.
    uploaded: dict[str, list[dict]] = {rid: [] for rid in rids}
    deadline = time.monotonic() + 10
    while sum(map(len, uploaded.values())) < 6 and time.monotonic() < deadline:
        for event in published("receipts-uploaded", wait=1):
            uploaded.get(event["receipt_id"], []).append(event)
    for user, rid in zip((concurrent, sequential), rids, strict=True):
        (shown,) = user.chat()
        assert [e["status_message_id"] for e in uploaded[rid]] == [shown["message_id"]] * 3
    # Pub/Sub redelivers both steps' messages long after the answer: still one answer.
    for rid in rids:
        publish_again("receipts-uploaded", uploaded[rid][0])
    for event in first_event_of_each("receipts-preprocessed", rids):
        publish_again("receipts-preprocessed", event)
    time.sleep(QUIET_SECONDS)
    for user in (concurrent, sequential):
        assert len(user.chat()) == 1 and len(final_texts(user)) == 1


def test_e_extract_killed_mid_receipt_still_answers_once(fault_stack: LocalStack) -> None:
    fault_stack.gemini.latency_seconds = 3
    seen = len(fault_stack.gemini.requests)
    user = user_of(fault_stack)
    sent = user.send_photo(SAMPLE.read_bytes())
    deadline = time.monotonic() + 20
    while len(fault_stack.gemini.requests) == seen:  # extract is inside the Gemini call now
        assert time.monotonic() < deadline, "extract never called Gemini"
        time.sleep(0.05)
    fault_stack.kill("extract", signal.SIGKILL)
    fault_stack.gemini.latency_seconds = 0.5
    fault_stack.restart("extract")
    answer = assert_answered_once(user, sent.message_id, timeout=60)
    assert "15.69" in answer["text"]  # read, not given up on
    assert len(fault_stack.gemini.requests) >= seen + 2
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}  # and never dead-lettered


def test_f_telegram_429_is_waited_out_and_the_answer_arrives(fault_stack: LocalStack) -> None:
    fault_stack.telegram.failures.append(
        {
            "method": "editMessageText",
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "retry_after": 1,
            "count": 1,
        }
    )
    user = user_of(fault_stack)
    sent = user.send_photo(SAMPLE.read_bytes())
    status = user.chat()[0]
    answer = assert_answered_once(user, sent.message_id)
    assert "15.69" in answer["text"]
    with fault_stack.telegram.lock:
        edits = [
            c["at"]
            for c in fault_stack.telegram.calls
            if c["method"] == "editMessageText" and c["params"].get("message_id") == status["message_id"]
        ]
    assert len(edits) == 2  # the refused one, then the one after the wait
    assert edits[1] - edits[0] >= 1.0
    assert answer["edited_at"] >= edits[0] + 1.0


def test_g_a_user_who_blocked_the_bot_is_given_up_on_not_retried_forever(fault_stack: LocalStack) -> None:
    fault_stack.gemini.latency_seconds = 2  # time to block the bot while the receipt is read
    user = user_of(fault_stack)
    sent = user.send_photo(SAMPLE.read_bytes())
    assert sent.status == 200
    blocked = {"error_code": 403, "description": "Forbidden: bot was blocked by the user", "count": 100}
    with fault_stack.telegram.lock:
        fault_stack.telegram.failures += [
            {"method": m, **blocked} for m in ("editMessageText", "sendMessage")
        ]
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    claim = layout.claim("answer", rid)
    deadline = time.monotonic() + 20
    while b'"done"' not in objects("WORK_BUCKET", claim).get(claim, b""):
        assert time.monotonic() < deadline, "the receipt was never settled"
        time.sleep(0.2)
    time.sleep(QUIET_SECONDS)  # a redelivery would try again within the stack's short backoff
    with fault_stack.telegram.lock:
        tries = [
            c["method"]
            for c in fault_stack.telegram.calls
            if c["params"].get("chat_id") == user.chat_id
            and c["method"] in ("editMessageText", "sendMessage")
        ]
    assert tries == ["sendMessage", "editMessageText", "sendMessage"]  # status; the answer, edited or sent
    assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}
    assert stored(rid) is not None


def test_h_an_event_whose_image_is_gone_is_dropped_not_retried(fault_stack: LocalStack) -> None:
    # /delete or the lifecycle rule removed the processed image while the event was on its way:
    # no retry can bring it back, so extract drops it instead of retrying it into the dead letters.
    user = user_of(fault_stack)
    sent = user.send_photo(SAMPLE.read_bytes())
    user.wait_for_answer(sent.message_id)
    (event,) = first_event_of_each(
        "receipts-preprocessed", [layout.receipt_id(user.chat_id, sent.message_id)]
    )
    rid = layout.receipt_id(user.chat_id, sent.message_id + 1)
    gone = {**event, "receipt_id": rid, "message_id": sent.message_id + 1}
    gone["processed_object"] = layout.processed_image(rid)  # never written
    seen = len(fault_stack.gemini.requests)
    publish_again("receipts-preprocessed", gone)

    log = fault_stack.log_dir / "extract.log"
    deadline = time.monotonic() + 20
    while "processed image is gone" not in log.read_text():
        assert time.monotonic() < deadline, "extract never dropped the event"
        time.sleep(0.2)
    time.sleep(QUIET_SECONDS)  # a redelivery would come within the stack's 1-3 s backoff
    assert log.read_text().count("processed image is gone") == 1
    assert len(fault_stack.gemini.requests) == seen  # the model was never asked
    assert len(user.chat()) == 1  # no second message for the gone receipt
    assert objects("WORK_BUCKET", layout.claim("answer", rid)) == {}  # released, not left pending
    assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}


def test_i_a_fresh_extract_instance_reads_its_first_receipts_at_once(fault_stack: LocalStack) -> None:
    # A new instance's first concurrent receipts share one Gemini client; each is read on the first
    # try (no "something went wrong, trying again" in between).
    fault_stack.kill("extract", signal.SIGTERM)
    fault_stack.restart("extract")
    fault_stack.gemini.latency_seconds = 0.5
    seen = len(fault_stack.gemini.requests)
    users = [user_of(fault_stack) for _ in range(4)]
    updates = [user.photo_update(SAMPLE.read_bytes()) for user in users]
    threads = [threading.Thread(target=user.post, args=(u,)) for user, u in zip(users, updates, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for user, update in zip(users, updates, strict=True):
        answer = assert_answered_once(user, update["message"]["message_id"])
        assert "15.69" in answer["text"]
        assert not set(answer["edits"]) & set(TEXTS["temporary_failure"].values())
    assert len(fault_stack.gemini.requests) == seen + 4  # one model call each: nothing was retried


def test_j_every_line_the_functions_write_is_one_cloud_logging_entry(fault_stack: LocalStack) -> None:
    # A transient fault raises out of extract: Flask's report of it, traceback included, must be one
    # JSON entry (not one plain-text line per frame), as every other line the functions write.
    fault_stack.gemini.fail_next = [500]
    user = user_of(fault_stack)
    sent = user.send_photo(SAMPLE.read_bytes())
    assert "15.69" in assert_answered_once(user, sent.message_id)["text"]
    entries = {
        name: [json.loads(line) for line in (fault_stack.log_dir / f"{name}.log").read_text().splitlines()]
        for name in PIPELINE["functions"]
    }
    assert all(isinstance(e, dict) and e.get("severity") for lines in entries.values() for e in lines)
    reports = [e for e in entries["extract"] if "Traceback (most recent call last)" in e["message"]]
    assert reports and all(e["severity"] == "ERROR" for e in reports)
    assert not any("faults.Busy" in e["message"] for lines in entries.values() for e in lines)
