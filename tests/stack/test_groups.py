"""Group chats on the real local stack: a family's shared budget group, where every receipt is its
sender's. A member's /delete deletes their own; only an admin (getChatMember) may delete the
group's, and a button pressed by anyone else, or by an admin no longer, is refused with an alert.
Other bots' commands and service messages get no reply; a group migrated to a supergroup keeps
its receipts."""

from __future__ import annotations

import itertools
import time

import pytest
import requests
from helpers import SAMPLE, objects, user_of

from devstack.stack import LocalStack
from devstack.telegram_standin import USERNAME
from devstack.tour import answer
from devstack.user import TelegramUser
from receiptbot import layout
from receiptbot.bot.commands import help_text
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records
from receiptbot.config import Settings

_groups = itertools.count(-7_000_000, -1)
ALICE, BOB = 71_001, 71_002


@pytest.fixture
def group(gemini_stack: LocalStack) -> TelegramUser:
    """A new group; the user is Alice, its admin (Bob, ``group.in_same_chat(BOB)``, is a member)."""
    chat = user_of(gemini_stack, chat_id=next(_groups)).in_same_chat(ALICE)
    with gemini_stack.telegram.lock:
        gemini_stack.telegram.admins[chat.chat_id] = {ALICE}
    return chat


def receipt(stack: LocalStack, member: TelegramUser, merchant: str) -> dict:
    """The member sends a receipt that reads ``merchant``; its card, with its receipt id."""
    reading = answer(merchant, "10.00", "EUR", "10:00", "groceries")
    requests.post(f"{stack.url('gemini')}/_standin/config", json={"answer": reading}, timeout=10)
    sent = member.send_photo(SAMPLE.read_bytes())
    card = member.wait_for_answer(sent.message_id)
    return card | {"receipt_id": layout.receipt_id(member.chat_id, sent.message_id)}


def said_since(member: TelegramUser, after: float) -> list[str]:
    return [m["text"] for m in sorted(member.chat(), key=lambda m: m["message_id"]) if m["at"] > after]


def last_alert(stack: LocalStack) -> dict:
    return stack.telegram.callback_answers[-1]


def command(member: TelegramUser, words: str) -> dict:
    before = time.time()
    assert member.say(words).status == 200
    return next(m for m in sorted(member.chat(), key=lambda m: -m["message_id"]) if m["at"] > before)


def test_another_members_press_on_a_card_is_refused_with_an_alert(gemini_stack, group) -> None:
    card = receipt(gemini_stack, group, "Alice's shop")
    bob = group.in_same_chat(BOB)
    assert bob.press(card, "Delete").status == 200
    alert = last_alert(gemini_stack)
    assert alert["show_alert"] and alert["text"] == TEXTS["button_not_yours"]["en"]
    assert records.get(card["receipt_id"]) is not None


def test_a_members_delete_removes_their_own_receipts_only(gemini_stack, group) -> None:
    bob = group.in_same_chat(BOB)
    alices, bobs = receipt(gemini_stack, group, "Alice's shop"), receipt(gemini_stack, bob, "Bob's shop")

    confirm = command(bob, "/delete")
    labels = [b["text"] for row in confirm["reply_markup"]["inline_keyboard"] for b in row]
    assert confirm["text"] == TEXTS["delete_confirm_group"]["en"]
    assert TEXTS["delete_group"]["en"] not in labels  # a member is not offered everyone's
    assert bob.press(confirm, TEXTS["delete_mine"]["en"]).status == 200

    assert bob.message_by_id(confirm["message_id"])["text"] == (
        "🗑 Done: I deleted your receipts in this group (1 receipt) and their photos."
    )
    assert records.get(bobs["receipt_id"]) is None
    assert records.get(alices["receipt_id"]) is not None
    assert objects("RAW_BUCKET", layout.raw_photo(bobs["receipt_id"])) == {}
    assert objects("WORK_BUCKET", layout.processed_image(bobs["receipt_id"])) == {}
    assert layout.raw_photo(alices["receipt_id"]) in objects(
        "RAW_BUCKET", layout.raw_photo(alices["receipt_id"])
    )


def test_only_an_admin_deletes_the_groups_receipts_and_only_while_admin(gemini_stack, group) -> None:
    bob = group.in_same_chat(BOB)
    receipt(gemini_stack, group, "Alice's shop")
    receipt(gemini_stack, bob, "Bob's shop")
    everyones = TEXTS["delete_group"]["en"]

    confirm = command(group, "/delete")
    assert bob.press(confirm, everyones).status == 200  # shown to Alice: not Bob's to press
    assert last_alert(gemini_stack)["text"] == TEXTS["button_not_yours"]["en"]
    with gemini_stack.telegram.lock:
        gemini_stack.telegram.admins[group.chat_id] = set()  # Alice is demoted meanwhile
    assert group.press(confirm, everyones).status == 200
    assert last_alert(gemini_stack)["text"] == TEXTS["button_not_admin"]["en"]
    assert len(records.of_chat(group.chat_id)) == 2

    with gemini_stack.telegram.lock:
        gemini_stack.telegram.admins[group.chat_id] = {ALICE}
    assert group.press(confirm, everyones).status == 200
    assert records.of_chat(group.chat_id) == []
    assert objects("RAW_BUCKET", f"raw/{group.chat_id}_") == {}
    assert group.message_by_id(confirm["message_id"])["text"] == (
        "🗑 Done: I deleted 2 receipts and every stored photo."
    )


def test_other_bots_commands_chatter_and_service_messages_get_no_reply(gemini_stack, group) -> None:
    before = time.time()
    service_messages = [
        {"new_chat_members": [{"id": BOB, "is_bot": False, "first_name": "Bob"}]},
        {"left_chat_member": {"id": BOB, "is_bot": False, "first_name": "Bob"}},
        {"pinned_message": {"message_id": 1, "date": 0, "chat": group.chat_object}},
        {"forum_topic_created": {"name": "Receipts", "icon_color": 7322096}},
        {"new_chat_title": "Family budget 2"},
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1}},
    ]
    for content in service_messages:
        assert group.post(group.message(**content)).status == 200
    for words in ("/month@OtherBot", "/help@OtherBot", "good morning", "/weather"):
        assert group.say(words).status == 200
    time.sleep(0.5)
    assert said_since(group, before) == []

    assert group.say(f"/help@{USERNAME}").status == 200
    (said,) = said_since(group, before)
    assert said == help_text(Settings(engine="gemini"), group=True, language="en")
    assert "privacy mode" in said and "Gemini" in said and "30 days" in said


def test_month_in_a_group_says_it_counts_the_senders_own(gemini_stack, group) -> None:
    receipt(gemini_stack, group, "Alice's shop")
    summary = command(group, "/month")
    assert summary["text"].startswith(TEXTS["month_yours"]["en"])


def test_month_and_export_in_a_group_count_the_senders_own_receipts(gemini_stack, group) -> None:
    bob = group.in_same_chat(BOB)
    receipt(gemini_stack, group, "Alice's shop")
    receipt(gemini_stack, bob, "Bob's shop")
    summary = command(bob, "/month")  # Bob's 10.00, not the group's 20.00
    assert "10.00" in summary["text"] and "20.00" not in summary["text"]
    before = time.time()
    bob.say("/export csv")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = [m for m in bob.chat() if m.get("document") and m["at"] > before]
        if files:
            content = files[0]["document"]["content"]
            assert "Bob's shop" in content and "Alice's shop" not in content
            return
        time.sleep(0.2)
    raise AssertionError("no export file within 60 s")


def test_a_group_that_becomes_a_supergroup_keeps_its_receipts(gemini_stack, group) -> None:
    card = receipt(gemini_stack, group, "Alice's shop")
    supergroup = -1_000_000_000_000 + group.chat_id  # Telegram's -100… ids
    migrated = group.message(migrate_to_chat_id=supergroup)
    assert group.post(migrated).status == 200
    assert group.post(migrated).status == 200  # Telegram may send it again: nothing changes

    moved = records.get(card["receipt_id"])
    assert moved is not None and moved.chat_id == supergroup
    assert records.of_chat(group.chat_id) == [] and len(records.of_chat(supergroup)) == 1
    assert said_since(group, card["at"] + 0.001) == []

    with gemini_stack.telegram.lock:
        gemini_stack.telegram.admins[supergroup] = {ALICE}
    there = TelegramUser(group.webhook_url, group.telegram_url, group.secret, supergroup, user_id=ALICE)
    confirm = command(there, "/delete")
    assert there.press(confirm, TEXTS["delete_group"]["en"]).status == 200
    assert records.of_chat(supergroup) == []
    assert objects("RAW_BUCKET", layout.raw_photo(card["receipt_id"])) == {}  # the old id's photo too
