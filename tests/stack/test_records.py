"""Receipt records in the Firestore emulator, and what a user does with them through the buttons:
each failure mode (a bad value, a stranger's press, a stale or forged button, a double tap, a
redelivery, a /delete with receipts in flight) on the real local stack."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
import requests
from helpers import SAMPLE, user_of

from devstack.stack import LocalStack
from devstack.tour import Tour, answer, run_tour
from devstack.user import TelegramUser
from receiptbot.bot import buttons, month
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records
from receiptbot.reading.model import Merchant, Receipt
from tools import bench_month


def record_of(chat_id: int, message_id: int, **receipt: object) -> records.Record:
    return records.Record(
        receipt_id=f"{chat_id}_{message_id}",
        chat_id=chat_id,
        user_id=chat_id,
        message_id=message_id,
        sent_at=1_000 + message_id,
        engine="test",
        receipt=Receipt(**receipt),
        read_at=dt.datetime.now(dt.UTC),
    )


def alerts(stack: LocalStack) -> list[dict]:
    return stack.telegram.callback_answers


def model_reads(stack: LocalStack, reading: dict) -> None:
    requests.post(f"{stack.url('gemini')}/_standin/config", json={"answer": reading}, timeout=10)


@pytest.fixture
def card(gemini_stack: LocalStack, gemini_user: TelegramUser) -> dict:
    model_reads(gemini_stack, answer("LIDL", "15.69", "EUR", "18:42", "groceries"))
    sent = gemini_user.send_photo(SAMPLE.read_bytes())
    return gemini_user.wait_for_answer(sent.message_id) | {
        "receipt_id": f"{gemini_user.chat_id}_{sent.message_id}"
    }


def test_the_tour_passes_every_step(gemini_stack: LocalStack) -> None:
    user = user_of(gemini_stack)
    tour = Tour(gemini_stack, user, SAMPLE.read_bytes())
    run_tour(tour)
    failed = [(name, what) for name, ok, what in tour.results if not ok]
    assert not failed, failed
    # ten of the records work, four of groups and caps, twelve of documents (albums included)
    assert len(tour.results) == 26


def test_a_record_is_written_once_and_read_back_exactly(stack: LocalStack) -> None:
    record = record_of(
        9001, 1, merchant=Merchant(name="Пятёрочка"), date="2024-01-15", total=Decimal("1234.50")
    )
    assert records.save(record)
    assert records.save(record)  # a redelivery writes the same document again, not a second one
    assert records.of_chat(9001) == [records.get(record.receipt_id)]
    stored = records.get(record.receipt_id)
    assert stored.receipt.total == Decimal("1234.50") and stored.month == "2024-01"


def test_a_receipt_in_flight_during_delete_does_not_come_back(stack: LocalStack) -> None:
    before = record_of(9002, 1, date="2024-01-15", total=Decimal("1"))
    assert records.save(before)
    assert records.delete_chat(9002, up_to=before.sent_at + 10) == 1
    in_flight = record_of(9002, 2, date="2024-01-15", total=Decimal("2"))  # sent before the /delete
    assert not records.save(in_flight)
    later = record_of(9002, 2, date="2024-01-15", total=Decimal("3")).model_copy(update={"sent_at": 10**9})
    assert records.save(later)
    assert [r.receipt.total for r in records.of_chat(9002)] == [Decimal("3")]


def test_duplicates_are_found_by_fiscal_key_fingerprint_and_photo(stack: LocalStack) -> None:
    fiscal = {"fn": "7281440500012345", "fd": "12345", "fp": "1234567890"}
    first = record_of(9003, 1, merchant=Merchant(name="Магнит"), date="2024-02-01", time="10:00",
                      total=Decimal("99.90"), fiscal=fiscal)  # fmt: skip
    records.save(first)
    same_fiscal = record_of(9003, 2, fiscal=fiscal)
    same_print = record_of(9003, 3, merchant=Merchant(name="МАГНИТ"), date="2024-02-01", time="10:00",
                           total=Decimal("99.9"))  # fmt: skip
    same_photo = record_of(9003, 4).model_copy(update={"file_unique_id": "u1"})
    records.save(record_of(9003, 5).model_copy(update={"file_unique_id": "u1"}))
    other = record_of(9003, 6, merchant=Merchant(name="Магнит"), date="2024-02-01", time="10:01",
                      total=Decimal("99.90"))  # fmt: skip
    assert records.duplicate_of(same_fiscal).receipt_id == first.receipt_id
    assert records.duplicate_of(same_print).receipt_id == first.receipt_id
    assert records.duplicate_of(same_photo).receipt_id == "9003_5"
    assert records.duplicate_of(other) is None


def bill_reading(kind: str, date: str, total: str) -> dict:
    return {
        "document_type": kind,
        "merchant": {"name": "ГБУ «Жилищник района Марьино»"},
        "date": date,
        "total": total,
        "currency": "RUB",
        "payment": {"payee": "ГБУ «Жилищник района Марьино»", "account": "1234567890", "period": "2024-03"},
        "category": "utilities",
    }


def test_a_bill_and_its_payment_are_counted_once(gemini_stack: LocalStack) -> None:
    user = user_of(gemini_stack, "ru")
    cards = []
    for kind, day, total in (
        ("utility_receipt", "2024-04-03", "6843.27"),
        ("payment_receipt", "2024-04-10", "6843.27"),
    ):
        model_reads(gemini_stack, bill_reading(kind, day, total))
        sent = user.send_photo(SAMPLE.read_bytes())
        cards.append((user.wait_for_answer(sent.message_id), f"{user.chat_id}_{sent.message_id}"))
    (bill_card, bill_id), (payment_card, payment_id) = cards

    assert "Квитанция ЖКХ за март 2024" in bill_card["text"]
    payment = records.get(payment_id)
    assert payment.duplicate_of == bill_id and not payment.counted
    assert "Это оплата квитанции, которую вы присылали" in payment_card["text"]
    assert [r.receipt_id for r in records.of_chat(user.chat_id) if r.counted] == [bill_id]
    # Another month's bill of the same account is a bill of its own.
    april = bill_reading("utility_receipt", "2024-05-03", "6843.27") | {
        "payment": {"account": "1234567890", "period": "04.2024"}
    }
    model_reads(gemini_stack, april)
    sent = user.send_photo(SAMPLE.read_bytes())
    user.wait_for_answer(sent.message_id)
    assert records.get(f"{user.chat_id}_{sent.message_id}").counted


def test_the_month_benchmark_asks_through_the_webhook_and_counts_only_this_month(stack: LocalStack) -> None:
    """`make bench-month`'s code on a smaller chat (its figures are in docs/bench.md; no timing here)."""
    figures = bench_month.measure(stack, receipts=300, repeats=2)
    print(bench_month.summary_line(figures))
    assert figures["month_receipts"] == bench_month.MONTH_RECEIPTS
    assert figures["worst_month_receipts"] == 300
    html, _ = month.summary(bench_month.TYPICAL_CHAT, month.this_month(), bench_month.TYPICAL_CHAT, "en")
    assert f"{bench_month.MONTH_RECEIPTS} receipts" in html


def test_a_strangers_press_is_refused_with_an_alert(gemini_stack: LocalStack, gemini_user, card) -> None:
    response = gemini_user.press(card, "Delete", user_id=777_000_001)
    assert response.status == 200
    assert alerts(gemini_stack)[-1]["show_alert"] is True
    assert alerts(gemini_stack)[-1]["text"] == TEXTS["button_not_yours"]["en"]
    assert records.get(card["receipt_id"]) is not None
    assert gemini_user.message_by_id(card["message_id"])["reply_markup"] == card["reply_markup"]


def test_a_stale_or_forged_button_is_refused(
    gemini_stack: LocalStack, gemini_user, card, monkeypatch
) -> None:
    from receiptbot.config import settings

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", gemini_stack.bot_token)  # signed as the bot would have
    settings.cache_clear()
    stale = buttons.data("dely", card["receipt_id"], gemini_user.chat_id, lifetime=-1)
    settings.cache_clear()
    forged = f"dely:{card['receipt_id']}:zzzzzz:AAAAAAAAAA"
    for data, reason in (
        (stale, "button_expired"),
        (forged, "button_not_yours"),
        ("delete:yes", "button_unknown"),
    ):
        message = card | {"reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}}
        assert gemini_user.press(message, "x").status == 200
        assert alerts(gemini_stack)[-1]["show_alert"] is True
        assert alerts(gemini_stack)[-1]["text"] == TEXTS[reason]["en"]
    assert records.get(card["receipt_id"]) is not None


def test_a_double_tap_on_delete_deletes_once_and_never_fails(
    gemini_stack: LocalStack, gemini_user, card
) -> None:
    gemini_user.press(card, "Delete")
    confirm = gemini_user.message_by_id(card["message_id"])
    first, second = gemini_user.press(confirm, "Yes, delete"), gemini_user.press(confirm, "Yes, delete")
    assert (first.status, second.status) == (200, 200)
    assert records.get(card["receipt_id"]) is None
    assert gemini_user.message_by_id(card["message_id"])["text"] == TEXTS["card_deleted"]["en"]


def test_a_bad_fix_changes_nothing_and_asks_again(gemini_stack: LocalStack, gemini_user, card) -> None:
    gemini_user.press(card, "Fix")
    gemini_user.press(gemini_user.message_by_id(card["message_id"]), "Total")
    prompt = gemini_user.chat()[-1]
    assert prompt["text"] == TEXTS["ask_total"]["en"]
    assert prompt["reply_markup"]["force_reply"] is True
    for bad in ("1E+999999999", "-5", "12.345", "", "0"):
        gemini_user.say(bad or " ", reply_to=prompt["message_id"])
        refusal, prompt = gemini_user.chat()[-2:]
        assert refusal["text"] == TEXTS["bad_total"]["en"], bad
        assert prompt["text"] == TEXTS["ask_total"]["en"]
    assert records.get(card["receipt_id"]).receipt.total == Decimal("15.69")
    # Someone else answering the question is not a fix.
    stranger = TelegramUser(
        gemini_user.webhook_url, gemini_user.telegram_url, gemini_user.secret, gemini_user.chat_id
    )
    update = stranger.message(text="1.00", reply_to_message={"message_id": prompt["message_id"], "date": 0,
                                                             "chat": {"id": stranger.chat_id}})  # fmt: skip
    update["message"]["from"]["id"] = 777_000_002
    stranger.post(update)
    assert records.get(card["receipt_id"]).receipt.total == Decimal("15.69")


def test_a_redelivered_answer_reuses_the_stored_reading(gemini_stack: LocalStack, gemini_user, card) -> None:
    """The record is there but the answer claim is not done (the card failed to send): extract
    answers from the record, and the model is not asked again."""
    from receiptbot import layout
    from receiptbot.cloud import claims, pubsub, storage
    from receiptbot.config import settings
    from receiptbot.contract import ReceiptPreprocessed

    asked = len(gemini_stack.gemini.requests)
    rid = card["receipt_id"]
    storage.delete(settings().work_bucket, layout.claim("answer", rid))
    message_id = int(rid.split("_")[1])
    event = ReceiptPreprocessed(
        receipt_id=rid,
        chat_id=gemini_user.chat_id,
        message_id=message_id,
        raw_object=layout.raw_photo(rid),
        processed_object=layout.processed_image(rid),
    )
    pubsub.publish(settings().project, settings().topic_preprocessed, event)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not claims.is_done(
        settings().work_bucket, layout.claim("answer", rid)
    ):
        time.sleep(0.1)
    assert len(gemini_stack.gemini.requests) == asked
    assert len(records.of_chat(gemini_user.chat_id)) == 1
