"""`/month` benchmark (`make bench-month`): how fast a chat with 2,000 receipts gets its month.

Starts the local stack and writes 2,000 receipt records for one chat into the Firestore emulator
(90 this month, then three a day back over 21 months: a heavy but real user). Then it times
``/month`` as the user sees it (the update POSTed to the webhook function, which queries Firestore
and sends the message before its 200), and the card's "this month so far" line that extract adds
to every card (in this process, against the emulator). A second chat holds all 2,000 in this
month: the worst case. The last line:

    bench-month receipts=2000 month_receipts=<n> month_p50_ms=<ms> month_p95_ms=<ms>
        card_line_p50_ms=<ms> worst_month_receipts=2000 worst_month_p50_ms=<ms>
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from devstack.stack import LocalStack, StackConfig
from devstack.user import TelegramUser
from receiptbot.bot import month
from receiptbot.cloud import records
from receiptbot.reading.model import Receipt

RECEIPTS = 2000
TYPICAL_CHAT, WORST_CHAT = 770_001, 770_002
MONTH_RECEIPTS = 90  # the typical chat's receipts this month
BATCH = 400  # Firestore takes at most 500 writes per batch


def seed(chat_id: int, count: int, days: Callable[[int], dt.date]) -> None:
    """``count`` records of ``chat_id``, the n-th dated ``days(n)``."""
    batch = records.client().batch()
    for n in range(count):
        record = records.Record(
            receipt_id=f"{chat_id}_{n + 1}",
            chat_id=chat_id,
            user_id=chat_id,
            message_id=n + 1,
            sent_at=1_000 + n,
            engine="bench",
            receipt=Receipt(
                merchant={"name": f"Shop {n % 40}"},
                date=days(n).isoformat(),
                total=Decimal(100 + n % 900) / 100,
                currency="RUB" if n % 5 else "EUR",
            ),
            read_at=dt.datetime.now(dt.UTC),
        )
        batch.set(
            records.client().collection(records.RECEIPTS).document(record.receipt_id), record.document()
        )
        if n % BATCH == BATCH - 1 or n == count - 1:
            batch.commit()
            batch = records.client().batch()


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    """Milliseconds per call, after one warm-up call."""
    run()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        seconds.append((time.perf_counter() - started) * 1000)
    return seconds


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def measure(stack: LocalStack, receipts: int, repeats: int) -> dict[str, float]:
    """Seed both chats, then time /month (this month) through the webhook and the card's month line."""
    today = dt.date.today()

    def this_month_day(n: int) -> dt.date:
        return today.replace(day=1 + n % today.day)

    def typical_day(n: int) -> dt.date:
        if n < MONTH_RECEIPTS:
            return this_month_day(n)
        return today.replace(day=1) - dt.timedelta(days=1 + (n - MONTH_RECEIPTS) // 3)

    seed(TYPICAL_CHAT, receipts, typical_day)
    seed(WORST_CHAT, receipts, this_month_day)
    this_month = month.this_month()
    month_receipts = len(records.of_chat(TYPICAL_CHAT, this_month))

    def ask(chat_id: int) -> Callable[[], None]:
        user = TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, chat_id)

        def run() -> None:
            before = len(stack.telegram.chat(chat_id))
            sent = user.say("/month")
            shown = stack.telegram.chat(chat_id)[before:]
            if sent.status != 200 or not shown or "📅" not in shown[-1]["text"]:
                raise RuntimeError(f"/month was not answered before the 200: {sent.status}")

        return run

    typical = timed(ask(TYPICAL_CHAT), repeats)
    card_line = timed(lambda: month.month_line(TYPICAL_CHAT, this_month, "en", TYPICAL_CHAT), repeats)
    worst = timed(ask(WORST_CHAT), repeats)
    return {
        "receipts": receipts,
        "month_receipts": month_receipts,
        "month_p50_ms": statistics.median(typical),
        "month_p95_ms": p95(typical),
        "card_line_p50_ms": statistics.median(card_line),
        "worst_month_receipts": len(records.of_chat(WORST_CHAT, this_month)),
        "worst_month_p50_ms": statistics.median(worst),
    }


def summary_line(figures: dict[str, float]) -> str:
    return "bench-month " + " ".join(
        f"{name}={value:.0f}" if name.endswith("receipts") else f"{name}={value:.1f}"
        for name, value in figures.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=RECEIPTS)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    print(f"Starting the local stack; {args.receipts} records per chat…", flush=True)
    with LocalStack(StackConfig(engine="gemini")) as stack:
        figures = measure(stack, args.receipts, args.repeats)
    print(summary_line(figures))


if __name__ == "__main__":
    main()
