"""The Telegram seam in process: the Bot API's answers mapped to python-telegram-bot's errors, each
one a kind of the retry contract, and updates of any shape read into the typed models."""

from __future__ import annotations

import traceback
from typing import Any

import pytest
import requests
from pydantic import SecretStr, ValidationError

from receiptbot import faults
from receiptbot.steps.webhook import Ignored, Image, pick_image
from receiptbot.telegram import api, errors
from receiptbot.telegram.api import BotApi
from receiptbot.telegram.types import Message, Update

TOKEN = "123456:SECRET-token-for-this-test"


def answer(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (answer(429, "Too Many Requests: retry after 7", retry_after=7), errors.RetryAfter),
        (
            answer(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-100123),
            errors.ChatMigrated,
        ),
        (answer(403, "Forbidden: bot was blocked by the user"), errors.Forbidden),
        (answer(401, "Unauthorized"), errors.InvalidToken),
        (answer(404, "Not Found"), errors.InvalidToken),
        (answer(400, "Bad Request: message to edit not found"), errors.BadRequest),
        (
            answer(400, "Bad Request: message is not modified: specified new message content"),
            errors.MessageNotModified,
        ),
        (answer(413, "Request Entity Too Large"), errors.BadRequest),
        (answer(429, "Too Many Requests"), errors.Unavailable),  # no retry_after to wait for
        (answer(500, "Internal Server Error"), errors.Unavailable),
        (answer(502, "Bad Gateway"), errors.Unavailable),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else str(v["error_code"]),
)
def test_an_answer_maps_to_the_python_telegram_bot_error(body: dict, expected: type) -> None:
    error = errors.from_response("sendMessage", body["error_code"], body)
    assert type(error) is expected
    assert error.method == "sendMessage" and error.error_code == body["error_code"]
    assert str(error) == f"sendMessage: {body['error_code']} {body['description']}"


def test_the_response_parameters_are_kept() -> None:
    retry = errors.from_response("editMessageText", 429, answer(429, "Too Many Requests", retry_after=3))
    assert isinstance(retry, errors.RetryAfter) and retry.retry_after == 3
    migrated = errors.from_response("sendMessage", 400, answer(400, "migrated", migrate_to_chat_id=-1009))
    assert isinstance(migrated, errors.ChatMigrated) and migrated.new_chat_id == -1009


def test_an_answer_without_an_error_code_uses_the_http_status() -> None:
    error = errors.from_response("getFile", 503, {"ok": False})
    assert isinstance(error, errors.Unavailable) and error.error_code == 503


def test_every_error_is_one_kind_of_the_retry_contract() -> None:
    transient = {errors.Unavailable, errors.TimedOut, errors.RetryAfter}
    concrete = [
        errors.Unavailable,
        errors.TimedOut,
        errors.BadRequest,
        errors.MessageNotModified,
        errors.Forbidden,
        errors.InvalidToken,
        errors.RetryAfter,
        errors.ChatMigrated,
        errors.FileUnavailable,
        errors.FileTooLarge,
    ]
    for cls in concrete:
        assert issubclass(cls, errors.TelegramError)
        assert issubclass(cls, faults.Transient) == (cls in transient), cls
        assert issubclass(cls, faults.Permanent) == (cls not in transient), cls
    for cls in (errors.BadRequest, errors.TimedOut, errors.Unavailable):
        assert issubclass(cls, errors.NetworkError)  # python-telegram-bot's tree


# -- the client, with its HTTP session replaced ----------------------------------------------------


class FakeResponse:
    def __init__(self, status_code: int, body: Any = None, content: bytes = b"") -> None:
        self.status_code, self._body, self._content = status_code, body, content

    def json(self) -> Any:
        if self._body is None:
            raise ValueError("not JSON")
        return self._body

    def iter_content(self, chunk_size: int) -> Any:
        for start in range(0, len(self._content), chunk_size):
            yield self._content[start : start + chunk_size]

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeSession:
    """Answers each request with the next of `answers` (a response, or an exception to raise)."""

    def __init__(self, *answers: FakeResponse | Exception) -> None:
        self.answers = list(answers)
        self.urls: list[str] = []

    def _next(self, url: str) -> FakeResponse:
        self.urls.append(url)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def post(self, url: str, **_: Any) -> FakeResponse:
        return self._next(url)

    def get(self, url: str, **_: Any) -> FakeResponse:
        return self._next(url)


def client_with(*answers: FakeResponse | Exception) -> tuple[BotApi, FakeSession]:
    bot = BotApi(SecretStr(TOKEN), base_url="http://telegram.invalid")
    session = FakeSession(*answers)
    bot._session = session  # type: ignore[assignment]
    return bot, session


def printed(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            requests.ConnectionError(f"http://telegram.invalid/bot{TOKEN}/sendMessage refused"),
            errors.Unavailable,
        ),
        (requests.ReadTimeout(f"http://telegram.invalid/bot{TOKEN}/sendMessage timed out"), errors.TimedOut),
        (FakeResponse(502), errors.Unavailable),  # an answer that is not JSON
        (FakeResponse(200, ["not", "an", "object"]), errors.Unavailable),
    ],
    ids=["refused", "timeout", "not-json", "not-an-object"],
)
def test_no_usable_answer_is_a_network_error_that_carries_no_token(failure: Any, expected: type) -> None:
    bot, _ = client_with(failure)
    with pytest.raises(expected) as caught:
        bot.send_message(1, "hi")
    assert isinstance(caught.value, errors.NetworkError) and isinstance(caught.value, faults.Transient)
    assert TOKEN not in printed(caught.value) and "bot123456" not in printed(caught.value)


def test_a_short_retry_after_is_waited_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(api.time, "sleep", slept.append)
    flood = FakeResponse(429, answer(429, "Too Many Requests: retry after 2", retry_after=2))
    bot, _ = client_with(flood, FakeResponse(200, {"ok": True, "result": {"message_id": 5}}))
    assert bot.send_message(1, "hi") == {"message_id": 5}
    assert slept == [2]

    bot, _ = client_with(flood, flood)  # refused again after the wait: back to Pub/Sub's backoff
    with pytest.raises(errors.RetryAfter):
        bot.send_message(1, "hi")
    long_flood = FakeResponse(
        429, answer(429, "Too Many Requests", retry_after=api.MAX_INLINE_RETRY_AFTER + 1)
    )
    bot, session = client_with(long_flood)
    with pytest.raises(errors.RetryAfter):
        bot.send_message(1, "hi")
    assert len(session.urls) == 1 and slept == [2, 2]


def test_editing_to_the_same_text_is_success() -> None:
    not_modified = answer(400, "Bad Request: message is not modified: specified new message content")
    bot, _ = client_with(FakeResponse(400, not_modified))
    bot.edit_message_text(1, 2, "same")
    bot, _ = client_with(FakeResponse(400, answer(400, "Bad Request: message to edit not found")))
    with pytest.raises(errors.BadRequest):
        bot.edit_message_text(1, 2, "gone")


def test_a_file_that_cannot_be_had_is_file_unavailable() -> None:
    bot, _ = client_with(FakeResponse(400, answer(400, "Bad Request: invalid file_id")))
    with pytest.raises(errors.FileUnavailable):
        bot.get_file_path("nope")
    bot, _ = client_with(FakeResponse(404))
    with pytest.raises(errors.FileUnavailable):
        bot.download("photos/x.jpg", 100)
    bot, _ = client_with(FakeResponse(503))
    with pytest.raises(errors.Unavailable):
        bot.download("photos/x.jpg", 100)
    bot, _ = client_with(requests.ConnectionError(f"http://telegram.invalid/file/bot{TOKEN}/photos/x.jpg"))
    with pytest.raises(errors.Unavailable) as caught:
        bot.download("photos/x.jpg", 100)
    assert TOKEN not in printed(caught.value)


def test_a_download_stops_past_the_limit() -> None:
    bot, _ = client_with(FakeResponse(200, content=b"x" * 1000))
    assert bot.download("photos/x.jpg", 1000) == b"x" * 1000
    bot, _ = client_with(FakeResponse(200, content=b"x" * 1001))
    with pytest.raises(errors.FileTooLarge):
        bot.download("photos/x.jpg", 1000)


# -- updates ---------------------------------------------------------------------------------------


def photo_message(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": 7,
        "date": 1700000000,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "A", "language_code": "ru"},
        **fields,
    }


def test_a_real_update_reads_into_the_models() -> None:
    sizes = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 120, "file_size": 1000},
        {"file_id": "large", "file_unique_id": "l", "width": 960, "height": 1280, "file_size": 90000},
    ]
    update = Update.model_validate({"update_id": 1, "message": photo_message(photo=sizes, caption="x")})
    assert update.message is not None and update.callback_query is None
    assert update.message.chat.id == 42 and update.message.message_id == 7
    assert update.message.from_user is not None and update.message.from_user.language_code == "ru"
    assert pick_image(update.message) == Image("large", 90000, "photo", "l")

    press = Update.model_validate(
        {
            "update_id": 2,
            "callback_query": {
                "id": "q1",
                "chat_instance": "c",
                "from": {"id": 42, "is_bot": False, "first_name": "A"},
                "message": photo_message(text="Delete?"),
                "data": "delete:yes",
            },
        }
    )
    query = press.callback_query
    assert query is not None and query.data == "delete:yes"
    assert query.message is not None and query.message.chat.id == 42
    assert query.from_user is not None and query.from_user.language_code is None


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": "abc"}, "text": "/help"}},
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": None}, "text": "/help"}},
        {"update_id": 1, "message": {"message_id": "1", "chat": {"id": 1}}},  # no "1" for 1
        {"update_id": 1, "message": {"message_id": True, "chat": {"id": 1}}},  # no true for 1
        {"update_id": 1, "message": {"message_id": 1.0, "chat": {"id": 1}}},
        {"update_id": 1, "message": {"chat": {"id": 1}, "photo": []}},  # no message_id
        {"update_id": 1, "message": {"message_id": 1, "photo": []}},  # no chat
        {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1}, "photo": [1, 2]}},
        {"update_id": 1, "message": "hello"},
        {"update_id": 1, "callback_query": {"data": "delete:yes"}},  # no id
    ],
)
def test_an_update_of_an_odd_shape_does_not_validate(update: dict) -> None:
    with pytest.raises(ValidationError):
        Update.model_validate(update)


def test_what_the_bot_can_do_without_reads_as_missing() -> None:
    update = Update.model_validate(
        {"update_id": 1, "edited_message": {"x": 1}, "message": None, "poll": {"id": "p"}}
    )
    assert update.message is None and update.callback_query is None
    bare = Message.model_validate({"message_id": 1, "chat": {"id": 5}, "unknown": [1, {"a": 2}]})
    assert bare.from_user is None and bare.text is None and bare.photo is None and bare.document is None
    press = Update.model_validate({"update_id": 1, "callback_query": {"id": "c", "data": "delete:yes"}})
    assert press.callback_query is not None and press.callback_query.message is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"photo": []}, "unsupported"),
        ({"photo": [{"width": 90, "height": 90}]}, "unsupported"),  # no file_id
        ({"sticker": {"file_id": "s"}}, "unsupported"),
        ({"document": {"file_id": "d", "mime_type": "application/zip"}}, "not_an_image"),
        ({"document": {"file_id": "d"}}, "not_an_image"),
        ({"document": {"mime_type": "image/png"}}, "unsupported"),  # no file_id
    ],
)
def test_a_message_without_an_image_to_read_is_ignored_with_a_reason(fields: dict, expected: str) -> None:
    with pytest.raises(Ignored) as caught:
        pick_image(Message.model_validate(photo_message(**fields)))
    assert str(caught.value) == expected


def test_the_image_picked_is_the_largest_photo_or_an_image_document() -> None:
    sizes = [
        {"file_id": "a", "width": 100, "height": 100},
        {"file_id": "b", "width": 100, "height": 100, "file_size": 5},
        {"width": 5000, "height": 5000},  # no file_id: skipped
    ]
    assert pick_image(Message.model_validate(photo_message(photo=sizes))) == Image("b", 5, "photo")
    document = {"file_id": "d", "mime_type": "IMAGE/JPEG", "file_size": 10}
    assert pick_image(Message.model_validate(photo_message(document=document))) == Image("d", 10, "document")


def test_the_bots_callback_data_fits_the_bot_apis_limit(environ) -> None:
    """The longest button the bot makes: a supergroup's receipt id with a category index."""
    from receiptbot.bot import buttons
    from receiptbot.telegram.limits import CALLBACK_DATA_LENGTH

    environ(TELEGRAM_BOT_TOKEN="123:abc")
    longest_receipt = "-1009999999999_2147483647.11"
    for action in ("cs", "dely", "keep", "wipen"):
        data = buttons.data(action, longest_receipt, 9_999_999_999)
        assert 1 <= len(data.encode()) <= CALLBACK_DATA_LENGTH, data
