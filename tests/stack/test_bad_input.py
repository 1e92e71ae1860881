"""Bad input gets a clear answer and changes nothing; strangers and floods are kept out (issue 5).

Requests go to the real webhook on the local stack. "Nothing stored" is read from the raw bucket
and the receipts-uploaded topic (its tap subscription).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from helpers import SAMPLE, objects, published, running_stack, user_of

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.steps.webhook import SECRET_HEADER

ALLOWED = (900_001, 900_002)
RATE_LIMIT = 2
# A day-long window: the test's receipts never straddle two windows (a 10-minute boundary would
# let the third one in).
RATE_WINDOW_MINUTES = 24 * 60


def nothing_stored(user: TelegramUser) -> bool:
    uploaded = [e for e in published("receipts-uploaded", wait=0.5) if e["chat_id"] == user.chat_id]
    return objects("RAW_BUCKET", f"raw/{user.chat_id}_") == {} and uploaded == []


def post_raw(stack: LocalStack, data: bytes | Iterator[bytes], content_type: str, secret: bool = True):
    headers = {"Content-Type": content_type}
    if secret:
        headers[SECRET_HEADER] = stack.webhook_secret
    return requests.post(stack.url("webhook"), data=data, headers=headers, timeout=30)


def texts(key: str) -> set[str]:
    return set(TEXTS[key].values())


# -- bad requests -----------------------------------------------------------------------------


def test_malformed_json_is_400(stack: LocalStack) -> None:
    for body in (b'{"update_id": 1, "message": ', b"\xff\xfe not json", b"[1, 2, 3]", b'"text"', b""):
        assert post_raw(stack, body, "application/json").status_code == 400, body
    assert post_raw(stack, b'{"message": {}}', "application/json").status_code == 400  # no update_id


def test_wrong_content_type_is_415(stack: LocalStack, user: TelegramUser) -> None:
    body = (
        b'{"update_id": 1, "message": {"message_id": 1, "chat": {"id": %d}, "text": "/help"}}' % user.chat_id
    )
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "image/jpeg"):
        assert post_raw(stack, body, content_type).status_code == 415
    assert user.chat() == []


def test_huge_body_is_413_and_nothing_is_stored(stack: LocalStack, user: TelegramUser) -> None:
    update = user.photo_update(SAMPLE.read_bytes())
    padded = (
        b'{"update_id": %d, "pad": "%s", "message": ' % (update["update_id"], b"x" * (2 * 1024 * 1024))
        + requests.models.complexjson.dumps(update["message"]).encode()
        + b"}"
    )
    assert post_raw(stack, padded, "application/json").status_code == 413
    # Without a Content-Length (chunked), the limit still holds: the body is not read past it.
    chunks = (padded[i : i + 65536] for i in range(0, len(padded), 65536))
    assert post_raw(stack, chunks, "application/json").status_code == 413
    assert nothing_stored(user) and user.chat() == []


def test_missing_or_wrong_secret_is_401_before_anything_else(stack: LocalStack, user: TelegramUser) -> None:
    update = user.photo_update(SAMPLE.read_bytes())
    body = requests.models.complexjson.dumps(update).encode()
    assert post_raw(stack, body, "application/json", secret=False).status_code == 401
    for secret in ("wrong", stack.webhook_secret[:-1], stack.webhook_secret + "x"):
        response = requests.post(
            stack.url("webhook"),
            data=body,
            headers={"Content-Type": "application/json", SECRET_HEADER: secret},
            timeout=10,
        )
        assert response.status_code == 401
    assert post_raw(stack, b"x" * (2 * 1024 * 1024), "text/plain", secret=False).status_code == 401
    assert nothing_stored(user) and user.chat() == []


def test_other_methods_are_405(stack: LocalStack) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = requests.request(
            method, stack.url("webhook"), headers={SECRET_HEADER: stack.webhook_secret}, timeout=10
        )
        assert response.status_code == 405


# -- bad updates: 200 (Telegram must not re-send them), nothing stored, the user told ----------------


@pytest.mark.parametrize(
    ("content", "reply"),
    [
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "width": 512, "height": 512}}, "unsupported"),
        (
            {"video": {"file_id": "v", "file_unique_id": "v", "width": 640, "height": 480, "duration": 3}},
            "unsupported",
        ),
        ({"voice": {"file_id": "a", "file_unique_id": "a", "duration": 2}}, "unsupported"),
        ({"location": {"latitude": 52.5, "longitude": 13.4}}, "unsupported"),
        ({"photo": []}, "unsupported"),
        ({"photo": [{"width": 90, "height": 90}]}, "unsupported"),  # no file_id
        (
            {"document": {"file_id": "d", "file_unique_id": "d", "mime_type": "application/zip"}},
            "not_an_image",
        ),
        (
            {
                "photo": [
                    {
                        "file_id": "p",
                        "file_unique_id": "p",
                        "width": 9000,
                        "height": 9000,
                        "file_size": 21 * 2**20,
                    }
                ]
            },
            "too_large",
        ),
    ],
    ids=[
        "sticker",
        "video",
        "voice",
        "location",
        "empty-photo-list",
        "photo-no-file-id",
        "zip",
        "over-20mb",
    ],
)
def test_a_message_that_is_not_a_receipt_is_answered_in_plain_words(
    stack: LocalStack, user: TelegramUser, content: dict, reply: str
) -> None:
    calls_before = len(stack.telegram.calls)
    assert user.post(user.message(**content)).status == 200
    chat = user.chat()
    assert [m["text"] for m in chat] == [TEXTS[reply]["en"]]
    assert nothing_stored(user)
    assert not [c for c in stack.telegram.calls[calls_before:] if c["method"] == "getFile"]


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "edited_message": {"message_id": 5, "chat": {"id": 1}, "text": "x"}},
        {
            "update_id": 2,
            "channel_post": {"message_id": 5, "chat": {"id": -100, "type": "channel"}, "text": "x"},
        },
        {"update_id": 3, "my_chat_member": {"chat": {"id": 1}, "from": {"id": 1}}},
        {"update_id": 4, "poll": {"id": "p", "question": "?", "options": []}},
        {"update_id": 5},
        {"update_id": 6, "message": None},
        {"update_id": 7, "message": {"chat": {"id": 1}, "photo": []}},  # no message_id
        {"update_id": 8, "message": {"message_id": 1, "photo": []}},  # no chat
        {"update_id": 9, "message": {"message_id": 1, "chat": {"id": "abc"}, "text": "/help"}},
        {"update_id": 10, "message": {"message_id": 1, "chat": {"id": None}, "text": "/help"}},
        {"update_id": 11, "message": {"message_id": "x", "chat": {"id": 1}, "text": "/help"}},
        {"update_id": 12, "callback_query": {"id": "c", "data": "delete:yes"}},  # no message
    ],
    ids=lambda u: next(iter(set(u) - {"update_id"}), "empty") + f"-{u['update_id']}",
)
def test_updates_the_bot_does_not_act_on_are_200_and_change_nothing(stack: LocalStack, update: dict) -> None:
    calls_before = len(stack.telegram.calls)
    raw_before = set(objects("RAW_BUCKET", "raw/"))
    assert (
        post_raw(stack, requests.models.complexjson.dumps(update).encode(), "application/json").status_code
        == 200
    )
    assert set(objects("RAW_BUCKET", "raw/")) == raw_before
    # Only a button press is acknowledged (Telegram shows a spinner until it is); nothing else is said.
    expected = ["answerCallbackQuery"] if "callback_query" in update else []
    assert [c["method"] for c in stack.telegram.calls[calls_before:]] == expected


def test_a_photo_that_is_not_an_image_is_answered_once_and_not_retried(
    stack: LocalStack, user: TelegramUser
) -> None:
    sent = user.send_photo(b"just some text pretending to be a photo\n" * 100)
    assert sent.status == 200
    answer = user.wait_for_answer(sent.message_id, timeout=30)
    assert answer["text"] in texts("not_an_image")
    time.sleep(3)  # a retried message would come back within the stack's short backoff
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    assert len(user.chat()) == 1 and user.chat()[0]["edits"] == [TEXTS["received"]["en"]]
    assert objects("RAW_BUCKET", f"{layout.FAILED_PREFIX}{rid}/") == {}  # acknowledged, not dead-lettered
    assert published("receipts-preprocessed", rid, wait=0.5) == []


def test_a_photo_from_a_user_who_blocked_the_bot_is_200_and_changes_nothing(
    stack: LocalStack, user: TelegramUser
) -> None:
    # Telegram refuses the status message for good: nothing is stored or published (no answer could
    # reach the user), Telegram gets its 200, and no other message is tried.
    blocked = {
        "method": "sendMessage",
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    with stack.telegram.lock:
        stack.telegram.failures.append({**blocked, "count": 5})
    try:
        assert user.send_photo(SAMPLE.read_bytes()).status == 200
        with stack.telegram.lock:
            tried = [c["method"] for c in stack.telegram.calls if c["params"].get("chat_id") == user.chat_id]
    finally:
        with stack.telegram.lock:
            stack.telegram.failures.clear()
    assert tried == ["sendMessage"]
    assert nothing_stored(user)


# -- abuse controls: allowlist and rate limit, on a stack configured for them ---------------------


@pytest.fixture(scope="module")
def guarded_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    env = {
        "ALLOWED_CHAT_IDS": ",".join(map(str, ALLOWED)),
        "RATE_LIMIT_COUNT": str(RATE_LIMIT),
        "RATE_LIMIT_WINDOW_SECONDS": str(RATE_WINDOW_MINUTES * 60),
    }
    with running_stack(tmp_path_factory, "guarded", engine="tesseract", extra_env=env) as running:
        yield running


def test_a_chat_off_the_allowlist_is_refused_politely(guarded_stack: LocalStack) -> None:
    stranger = user_of(guarded_stack)  # not on the list
    assert stranger.send_photo(SAMPLE.read_bytes()).status == 200
    assert stranger.post(stranger.message(text="/export")).status == 200
    assert [m["text"] for m in stranger.chat()] == [TEXTS["not_allowed"]["en"]] * 2
    assert nothing_stored(stranger)


def test_the_rate_limit_lets_the_first_receipts_in_and_answers_the_rest_kindly(
    guarded_stack: LocalStack,
) -> None:
    member = user_of(guarded_stack, chat_id=ALLOWED[0])
    sent = [member.send_photo(SAMPLE.read_bytes()) for _ in range(RATE_LIMIT + 1)]
    assert [s.status for s in sent] == [200] * (RATE_LIMIT + 1)
    refused = member.replies_to(sent[-1].message_id)
    window = RATE_WINDOW_MINUTES * 60
    until = time.strftime("%H:%M", time.gmtime((time.time() // window + 1) * window))
    rate_limited = TEXTS["rate_limited"]["en"].format(
        limit=RATE_LIMIT,
        minutes="1,440 minutes",
        until=until,  # the window: a day
    )
    assert [m["text"] for m in refused] == [rate_limited]
    stored = objects("RAW_BUCKET", f"raw/{member.chat_id}_")
    assert sorted(stored) == sorted(
        layout.raw_photo(layout.receipt_id(member.chat_id, s.message_id)) for s in sent[:-1]
    )
    for s in sent[:-1]:
        assert "15.69" in member.wait_for_answer(s.message_id, timeout=60)["text"]
    # A re-send of an accepted receipt is not counted again; another allowed chat has its own budget.
    assert member.post(sent[0].update).status == 200
    assert rate_limited not in [m["text"] for m in member.replies_to(sent[0].message_id)]
    other = user_of(guarded_stack, chat_id=ALLOWED[1])
    first = other.send_photo(SAMPLE.read_bytes())
    assert other.replies_to(first.message_id)[0]["text"] in texts("received")
