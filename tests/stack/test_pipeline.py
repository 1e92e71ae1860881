"""The whole pipeline on the real local stack: a receipt in, one answer out."""

from __future__ import annotations

import time

from helpers import SAMPLE, objects, published, stored, user_of

from devstack.stack import LocalStack
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records


def test_photo_goes_all_the_way_through(stack: LocalStack, user: TelegramUser) -> None:
    sent = user.send_photo(SAMPLE.read_bytes())
    assert sent.status == 200
    answer = user.wait_for_answer(sent.message_id, timeout=60)

    rid = layout.receipt_id(user.chat_id, sent.message_id)
    assert objects("RAW_BUCKET", layout.raw_photo(rid))[layout.raw_photo(rid)] == SAMPLE.read_bytes()
    assert layout.processed_image(rid) in objects("WORK_BUCKET", "processed/")
    result = stored(rid)
    assert result["engine"] == "tesseract"
    assert result["receipt"]["total"] == "15.69"
    assert result["receipt"]["date"] == "2020-04-07"

    # The status message was edited into the card: one bot message in the chat, HTML, with the total.
    chat = user.chat()
    assert len(chat) == 1 and chat[0]["message_id"] == answer["message_id"]
    assert answer["parse_mode"] == "HTML" and answer["edits"]
    assert "15.69" in answer["text"]

    uploaded = published("receipts-uploaded", rid)
    assert uploaded and uploaded[0]["raw_object"] == layout.raw_photo(rid)
    assert uploaded[0]["status_message_id"] == answer["message_id"]
    assert published("receipts-preprocessed", rid)[0]["processed_object"] == layout.processed_image(rid)


def test_image_document_goes_all_the_way_through(stack: LocalStack, user: TelegramUser) -> None:
    sent = user.post(user.document_update(SAMPLE.read_bytes(), "image/jpeg", "scan.jpg"))
    assert sent.status == 200
    answer = user.wait_for_answer(sent.message_id, timeout=60)
    assert "15.69" in answer["text"]
    rid = layout.receipt_id(user.chat_id, sent.message_id)
    assert published("receipts-uploaded", rid)[0]["source"] == "document"


def test_wrong_or_missing_secret_is_refused_and_changes_nothing(
    stack: LocalStack, user: TelegramUser
) -> None:
    for secret in ("wrong-secret", ""):
        update = user.photo_update(SAMPLE.read_bytes())
        sent = user.post(update, secret=secret)
        assert sent.status == 401
        rid = layout.receipt_id(user.chat_id, sent.message_id)
        assert objects("RAW_BUCKET", layout.raw_photo(rid)) == {}
        assert published("receipts-uploaded", rid, wait=1) == []
    assert user.chat() == []


def test_non_photo_updates_are_acknowledged_and_ignored(stack: LocalStack, user: TelegramUser) -> None:
    edited = {"update_id": 1, "edited_message": {"message_id": 5, "chat": {"id": user.chat_id}, "text": "x"}}
    assert user.post(edited).status == 200
    sticker = user.message(sticker={"file_id": "s", "file_unique_id": "s", "width": 512, "height": 512})
    assert user.post(sticker).status == 200
    archive = user.document_update(b"PK\x03\x04 not an image", "application/zip", "receipt.zip")
    assert user.post(archive).status == 200
    assert objects("RAW_BUCKET", f"raw/{user.chat_id}_") == {}
    # The sticker and the archive are told, in plain words, what to send instead (before the 200).
    assert [m["text"] for m in user.chat()] == [TEXTS["unsupported"]["en"], TEXTS["not_an_image"]["en"]]


def test_start_welcomes_and_help_helps_in_the_users_language(stack: LocalStack) -> None:
    for language in ("en", "ru"):
        user = user_of(stack, language)
        assert user.post(user.message(text="/start")).status == 200
        assert user.post(user.message(text="/help")).status == 200
        welcome, help_message = (m["text"] for m in user.chat())
        assert welcome == TEXTS["welcome"][language] and "/help" in welcome
        assert help_message.startswith(TEXTS["help"][language].split("\n")[0]) and "/delete" in help_message


def test_a_repeated_update_stores_one_photo_and_answers_once(stack: LocalStack, user: TelegramUser) -> None:
    update = user.photo_update(SAMPLE.read_bytes())
    first = user.post(update)
    second = user.post(update)  # Telegram re-sends when it missed our 200
    assert first.status == second.status == 200
    user.wait_for_answer(first.message_id, timeout=60)
    time.sleep(3)  # past the stack's longest backoff (2 s): a redelivered copy would answer by then
    rid = layout.receipt_id(user.chat_id, first.message_id)
    assert list(objects("RAW_BUCKET", f"raw/{user.chat_id}_")) == [layout.raw_photo(rid)]
    assert len(user.chat()) == 1
    assert len(records.of_chat(user.chat_id)) == 1
