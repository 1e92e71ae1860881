"""`make tour`: one user on the local stack through everything the bot keeps for them.

Receipts go in as real photos through the webhook; the Gemini stand-in plays the model (it says
what each receipt reads), so every step's expected result is known. Each step checks what the user
was sent and what is in Firestore and Cloud Storage, and prints `step <name> ok|FAIL <what>`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

from devstack.stack import REPO, LocalStack, StackConfig
from devstack.user import TelegramUser, plain
from receiptbot.cloud import records, storage
from receiptbot.config import settings

SAMPLE = REPO / "samples" / "lidl_receipt.jpg"
TOUR_CHAT = 424242
STRANGER = 515151


def answer(merchant: str, total: str, currency: str, time_of_day: str, category: str, **extra: Any) -> dict:
    """What the model is to read on the next receipt (today's date: the month view shows it)."""
    return {
        "document_type": "shop_receipt",
        "merchant": {"name": merchant},
        "date": dt.date.today().isoformat(),
        "time": time_of_day,
        "total": total,
        "currency": currency,
        "items": [],
        "category": category,
        **extra,
    }


@dataclass
class Tour:
    stack: LocalStack
    user: TelegramUser
    photo: bytes
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    cards: dict[str, dict] = field(default_factory=dict)

    # -- acting as the user ----------------------------------------------------------------
    def model_reads(self, reading: dict) -> None:
        requests.post(f"{self.stack.url('gemini')}/_standin/config", json={"answer": reading}, timeout=10)

    def send_receipt(self, name: str, reading: dict, update: dict | None = None) -> dict:
        self.model_reads(reading)
        sent = self.user.post(update or self.user.photo_update(self.photo))
        card = self.user.wait_for_answer(sent.message_id, timeout=90)
        self.cards[name] = card | {"update": sent.update}
        return card

    def new_messages(self, after: float, count: int = 1) -> list[dict]:
        """The bot's messages sent since ``after`` (time.time()), oldest first, once there are ``count``."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            fresh = sorted((m for m in self.user.chat() if m["at"] > after), key=lambda m: m["message_id"])
            if len(fresh) >= count:
                return fresh
            time.sleep(0.05)
        raise TimeoutError(f"the bot sent fewer than {count} messages")

    def press(self, message: dict, label: str, user_id: int | None = None) -> dict:
        """Press a button; the card as it is after the press."""
        self.user.press(self.user.message_by_id(message["message_id"]), label, user_id)
        return self.user.message_by_id(message["message_id"])

    def command(self, words: str) -> dict:
        before = time.time()
        self.user.say(words)
        return self.new_messages(before)[-1]

    def reply(self, prompt: dict, words: str, count: int = 1) -> list[dict]:
        """Answer the bot's question; the ``count`` messages the bot sends back."""
        before = time.time()
        self.user.say(words, reply_to=prompt["message_id"])
        return self.new_messages(before, count)

    def ask(self, card: dict, label: str) -> dict:
        """Press ✏️ Fix, then ``label``: the bot's question."""
        self.press(card, "Fix")
        before = time.time()
        self.press(card, label)
        return self.new_messages(before)[-1]

    def record(self, name: str) -> records.Record | None:
        card = self.cards[name]
        return records.get(f"{self.user.chat_id}_{card['update']['message']['message_id']}")

    # -- checking --------------------------------------------------------------------------
    def step(self, name: str, run: Callable[[], tuple[bool, str]]) -> None:
        try:
            ok, what = run()
        except Exception as exc:  # a step that crashes is a failed step; the tour goes on
            ok, what = False, f"{type(exc).__name__}: {exc}"
        self.results.append((name, ok, what))

    def print_chat(self) -> None:
        print("\nThe chat, as the user sees it:\n" + "-" * 60)
        for message in sorted(self.user.chat(), key=lambda m: m["message_id"]):
            print(plain(message["text"]))
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in rows:
                print("   " + "  ".join(f"[{b['text']}]" for b in row))
            if message.get("document"):
                print(f"   📎 {message['document']['file_name']}")
            print("-" * 60)


def xlsx_text(content: bytes) -> tuple[str, int]:
    """An XLSX file's text cells, and its first sheet's number of rows."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    return strings, sheet.count("<row ")


def month_shows(text: str, *needles: str) -> bool:
    return all(needle in plain(text) for needle in needles)


def run_tour(tour: Tour) -> None:
    t = tour
    today = dt.date.today()

    def receipts() -> tuple[bool, str]:
        lidl = t.send_receipt("lidl", answer("LIDL", "15.69", "EUR", "18:42", "groceries"))
        cafe = t.send_receipt("cafe", answer("Кофейня «Зерно»", "350.00", "RUB", "09:15", "cafes"))
        saved = [t.record("lidl"), t.record("cafe")]
        ok = all(saved) and "LIDL" in lidl["text"] and "Зерно" in plain(cafe["text"])
        ok = ok and any("Fix" in b["text"] for row in lidl["reply_markup"]["inline_keyboard"] for b in row)
        return ok, "two cards with ✏️ Fix 🏷 Category 🗑 Delete, two records in Firestore"

    def month() -> tuple[bool, str]:
        summary = t.command("/month")
        ok = month_shows(summary["text"], "15.69 €", "350.00 ₽", "Receipts: 2", "Groceries", "Cafés")
        before = summary["text"]
        edited = t.press(summary, "◀")
        ok = ok and edited["text"] != before and "No receipts" in edited["text"]
        return ok, "/month: a total per currency, 2 receipts, by category; ◀ edits it to last month"

    def fix_total() -> tuple[bool, str]:
        prompt = t.ask(t.cards["lidl"], "Total")
        refusal, again = t.reply(prompt, "twelve", count=2)  # "not an amount", and the question again
        unchanged = t.record("lidl").receipt.total == Decimal("15.69")
        (done,) = t.reply(again, "16,20")
        total = t.record("lidl").receipt.total
        card = t.user.message_by_id(t.cards["lidl"]["message_id"])
        ok = "not an amount" in refusal["text"] and unchanged and total == Decimal("16.20")
        ok = ok and "16.20" in card["text"] and "Saved" in done["text"]
        return ok, "'twelve' refused and nothing changed; '16,20' saved, the card shows 16.20"

    def fix_date() -> tuple[bool, str]:
        prompt = t.ask(t.cards["cafe"], "Date")
        day = today.replace(day=1)
        (refusal, again) = t.reply(prompt, "31.02.2024", count=2)
        t.reply(again, day.strftime("%d.%m.%Y"))
        record = t.record("cafe")
        ok = "not a date" in refusal["text"] and record is not None and record.receipt.date == day.isoformat()
        return ok, f"31.02.2024 refused; the date is now {day.isoformat()}"

    def category() -> tuple[bool, str]:
        t.press(t.cards["lidl"], "Category")
        card = t.press(t.cards["lidl"], "Home")
        record = t.record("lidl")
        ok = record is not None and record.category.value == "household" and "Home" in card["text"]
        return ok, "🏷 → Home and household: the record and the card say so"

    def category_remembered() -> tuple[bool, str]:
        t.send_receipt("lidl2", answer("Lidl", "7.10", "EUR", "12:05", "groceries"))
        record = t.record("lidl2")
        ok = record is not None and record.category.value == "household"
        return ok, "the next Lidl receipt is Home and household, though the model said groceries"

    def duplicate() -> tuple[bool, str]:
        again = t.user.message(photo=t.cards["cafe"]["update"]["message"]["photo"])  # the same photo
        card = t.send_receipt(
            "cafe_again", answer("Кофейня «Зерно»", "350.00", "RUB", "09:15", "cafes"), again
        )
        record = t.record("cafe_again")
        summary = t.command("/month")
        ok = record is not None and not record.counted and "Already saved" in card["text"]
        ok = ok and "Receipts: 3" in plain(summary["text"])
        kept = t.press(card, "Keep anyway")
        ok = ok and t.record("cafe_again").counted and "Keep anyway" not in str(kept["reply_markup"])
        t.press(kept, "Delete")
        t.press(kept, "Yes, delete")
        return ok, "the same photo again: 'already saved', not counted (3 in /month); Keep anyway counts it"

    def export() -> tuple[bool, str]:
        before = time.time()
        t.user.say("/export")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = [m for m in t.user.chat() if m.get("document") and m["at"] > before]
            if files:
                strings, rows = xlsx_text(base64.b64decode(files[0]["document"]["content_b64"]))
                ok = "LIDL" in strings and "Зерно" in strings and strings.count("Lidl") == 1 and rows == 4
                return ok, f"{files[0]['document']['file_name']}: a header and the month's 3 receipts"
            time.sleep(0.2)
        return False, "no file within 60 s"

    def delete_one() -> tuple[bool, str]:
        t.press(t.cards["lidl2"], "Delete")
        card = t.press(t.cards["lidl2"], "Yes, delete")
        rid = f"{t.user.chat_id}_{t.cards['lidl2']['update']['message']['message_id']}"
        photo_left = storage.exists(settings().raw_bucket, f"raw/{rid}")
        ok = t.record("lidl2") is None and "deleted" in card["text"] and not photo_left
        return ok, "the record and its photo are gone; the card says so"

    def delete_all() -> tuple[bool, str]:
        prompt = t.command("/delete")
        t.press(prompt, "Yes, delete", user_id=STRANGER)  # refused with an alert: not shown to them
        stranger_refused = bool(records.of_chat(t.user.chat_id))
        done = t.press(prompt, "Yes, delete")
        left = records.of_chat(t.user.chat_id)
        photos = storage.names(settings().raw_bucket, f"raw/{t.user.chat_id}_")
        ok = stranger_refused and not left and not photos and "deleted" in done["text"]
        return ok, f"a stranger's press refused; then no record, no photo left ({len(left)}, {len(photos)})"

    for name, run in [
        ("receipts", receipts),
        ("month", month),
        ("fix_total", fix_total),
        ("fix_date", fix_date),
        ("category", category),
        ("category_remembered", category_remembered),
        ("duplicate", duplicate),
        ("export", export),
        ("delete_one", delete_one),
        ("delete_all", delete_all),
    ]:
        t.step(name, run)


def tour(photo: Path = SAMPLE) -> bool:
    print("Starting the local stack for the tour…", flush=True)
    with LocalStack(StackConfig(engine="gemini")) as stack:
        user = TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, TOUR_CHAT)
        t = Tour(stack, user, photo.read_bytes())
        run_tour(t)
        t.print_chat()
    for name, ok, what in t.results:
        print(f"step {name} {'ok' if ok else 'FAIL'} {what}")
    return all(ok for _, ok, _ in t.results)
