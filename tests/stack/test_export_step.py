"""The export function on the real local stack: records in the Firestore emulator, an ExportRequested
on the exports-requested topic, and the file the Telegram stand-in received."""

from __future__ import annotations

import base64
import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from exports import read_xlsx, record

from devstack.stack import PIPELINE, PROJECT, LocalStack
from receiptbot.bot import export
from receiptbot.bot.texts import text
from receiptbot.cloud import pubsub, records
from receiptbot.config import settings
from receiptbot.contract import ExportRequested

_chat_ids = itertools.count(70_000)


@pytest.fixture(autouse=True)
def firestore_of_the_stack(stack: LocalStack) -> None:
    """records' cached client may belong to another stack of the session: follow this one's emulator."""
    records.client.cache_clear()


def request(chat_id: int, month: str | None, message_id: int = 500) -> ExportRequested:
    return ExportRequested(
        chat_id=chat_id, user_id=chat_id, language="ru", month=month, message_id=message_id
    )


def answers(stack: LocalStack, chat_id: int, count: int = 1, timeout: float = 60) -> list[dict[str, Any]]:
    """The first `count` messages the bot sent in the chat, once they are there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(chat := stack.telegram.chat(chat_id)) >= count:
            return chat
        time.sleep(0.05)
    raise TimeoutError(f"fewer than {count} messages in chat {chat_id} after {timeout} s")


def export_log(stack: LocalStack, chat_id: int) -> list[dict[str, Any]]:
    """The export step's own entries about this chat (not the "busy" ones of a concurrent delivery)."""
    lines = (stack.log_dir / "export.log").read_text(errors="replace").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    return [e for e in entries if e.get("chat_id") == chat_id and e["message"].startswith("export:")]


def save_all(saved: list) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(records.save, saved))


def test_the_months_counted_receipts_arrive_as_one_xlsx(stack: LocalStack) -> None:
    chat = next(_chat_ids)
    save_all(
        [
            record(1, "Пятёрочка", "1234.50", chat_id=chat),
            record(2, '=HYPERLINK("http://evil")', "99.90", chat_id=chat),
            record(3, "Пятёрочка", "1234.50", chat_id=chat, duplicate_of=f"{chat}_1", counted=False),
            record(4, "Февраль", "10.00", chat_id=chat, receipt={"date": "2024-02-01"}),
            record(5, "Чужой чат", "1.00", chat_id=chat + 100_000),  # another chat
        ]
    )
    event = request(chat, "2024-01")

    pubsub.publish(PROJECT, settings().topic_exports, event)
    pubsub.publish(PROJECT, settings().topic_exports, event)  # redelivered, or published twice

    (sent,) = answers(stack, chat)
    assert sent["document"]["file_name"] == "Чеки_2024-01.xlsx"
    assert sent["text"] == "2 чека · январь 2024 · 1\u00a0334,40\u00a0₽"  # the duplicate is not counted
    header, *rows = read_xlsx(base64.b64decode(sent["document"]["content_b64"]))
    assert [cell.value for cell in header] == export.VOCABULARY["ru"].headers
    assert [(row[2].value, row[4].value) for row in rows] == [
        ("Пятёрочка", 1234.5),
        ('=HYPERLINK("http://evil")', 99.9),
    ]
    assert rows[1][2].quote_prefix and not rows[1][2].formula
    deadline = time.monotonic() + 30  # the second delivery was answered from the claim: no second file
    while not any("repeat" in e["message"] for e in export_log(stack, chat)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [e["message"] for e in export_log(stack, chat)] == [
        "export: answered",
        "export: a repeat of an answered request, nothing to do",
    ]
    assert len(stack.telegram.chat(chat)) == 1


@pytest.mark.parametrize(("month", "told"), [(None, "export_empty"), ("2024-01", "month_empty")])
def test_a_chat_without_receipts_is_told_so(stack: LocalStack, month: str | None, told: str) -> None:
    chat = next(_chat_ids)
    save_all([record(1, chat_id=chat, receipt={"date": "2023-12-31"})] if month else [])

    pubsub.publish(PROJECT, settings().topic_exports, request(chat, month, message_id=321))

    (sent,) = answers(stack, chat)
    assert (sent["text"], sent["reply_to"], sent["document"]) == (text(told, "ru"), 321, None)


def test_an_export_of_2000_receipts(stack: LocalStack) -> None:
    """Every month of a long history in one file; prints how long it took (docs/export.md)."""
    chat = next(_chat_ids)
    months = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    history = [
        record(n, f"Магазин {n % 40}", f"{100 + n % 900}.{n % 100:02d}", chat_id=chat,
               receipt={"date": f"{months[n % 24]}-{1 + n % 28:02d}"})
        for n in range(1, 2001)
    ]  # fmt: skip
    save_all(history)

    started = time.monotonic()
    pubsub.publish(PROJECT, settings().topic_exports, request(chat, None))
    (sent,) = answers(stack, chat, timeout=120)
    seconds = time.monotonic() - started

    rows = read_xlsx(base64.b64decode(sent["document"]["content_b64"]))[1:]
    assert len(rows) == 2000
    (answered,) = [e for e in export_log(stack, chat) if e["message"] == "export: answered"]
    took = {}
    for step, do in {
        "reading the records": lambda: records.of_chat(chat),
        "building the XLSX": lambda: export.build_xlsx(history, "ru"),
        "building the CSV": lambda: export.build_csv(history, "ru"),
    }.items():
        started = time.monotonic()
        do()
        took[step] = f"{step} {time.monotonic() - started:.2f} s"
    print(
        f"\nexport of 2000 receipts: publish -> document {seconds:.2f} s; in the export function "
        f"(read, build, send) {answered['seconds']:.2f} s; in this process: {', '.join(took.values())}; "
        f"the XLSX {len(base64.b64decode(sent['document']['content_b64'])) // 1024} KiB"
    )


def test_an_export_that_fails_every_attempt_is_told_once(stack: LocalStack) -> None:
    """Telegram refuses the file on every delivery: after the last one the request is dead-lettered,
    and the dead-letter step (not the receipt path) tells the user."""
    chat = next(_chat_ids)
    save_all([record(1, chat_id=chat)])
    attempts = PIPELINE["subscription_defaults"]["max_delivery_attempts"]
    stack.telegram.failures.append(
        {"method": "sendDocument", "count": attempts, "error_code": 502, "description": "Bad Gateway"}
    )

    pubsub.publish(PROJECT, settings().topic_exports, request(chat, "2024-01", message_id=654))

    (notice,) = answers(stack, chat, timeout=120)
    assert (notice["text"], notice["reply_to"], notice["document"]) == (
        text("export_failed", "ru"),
        654,
        None,
    )
    sends = [
        c
        for c in stack.telegram.calls
        if c["method"] == "sendDocument" and c["params"]["chat_id"] == str(chat)
    ]
    assert len(sends) == attempts
