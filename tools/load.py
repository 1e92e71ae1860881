"""Load run (`make load`): a burst of receipts from many chats, some updates sent twice.

Starts its own local stack (Gemini engine against the stand-in, ~1 s model latency, short Pub/Sub
backoff), builds 200 photo updates from 50 chats, and POSTs them all at once, 10% of them twice
(as Telegram does when it misses a 200). A non-200 is re-sent, as Telegram would. Then it counts
what each user received. The last line:

    load sent=<posts> receipts=<distinct updates> answered=<n> lost=<n> duplicated=<n> seconds=<s>

lost: receipts with no answer by the timeout; duplicated: receipts answered more than once.
"""

from __future__ import annotations

import argparse
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from devstack.stack import LocalStack, StackConfig
from devstack.user import INTERIM_TEXTS, TelegramUser

REPO = Path(__file__).resolve().parent.parent

SAMPLE = REPO / "samples" / "lidl_receipt.jpg"
FIRST_CHAT = 500_000
RESENDS = 5  # how often a non-200 is re-sent before it counts as refused


def answers_per_receipt(stack: LocalStack, receipts: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """(chat, message) -> how many answers its user has seen (texts shown, but the interim ones)."""
    counts = dict.fromkeys(receipts, 0)
    for chat_id in {chat for chat, _ in receipts}:
        for message in stack.telegram.chat(chat_id):
            key = (chat_id, message["reply_to"])
            if key in counts:
                shown = [*message["edits"], message["text"]]
                counts[key] += sum(text not in INTERIM_TEXTS for text in shown)
    return counts


def post_like_telegram(user: TelegramUser, update: dict, failures: list[str]) -> int:
    """POST, re-sending on a non-200 or a broken connection after a short pause; the final status."""
    for _ in range(RESENDS):
        try:
            status = user.post(update).status
        except requests.RequestException as exc:
            status = 0
            failures.append(type(exc).__name__)
        if status == 200:
            return status
        if status:
            failures.append(str(status))
        time.sleep(1)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--receipts", type=int, default=200)
    parser.add_argument("--duplicated", type=float, default=0.10, help="share of updates sent twice")
    parser.add_argument("--latency", type=float, default=1.0, help="the Gemini stand-in's seconds per call")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--log-dir", type=Path, help="keep the stack's logs here")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    config = StackConfig(
        engine="gemini",
        gemini_latency_seconds=args.latency,
        min_backoff_seconds=1,
        max_backoff_seconds=5,
        log_dir=args.log_dir,
    )
    with LocalStack(config) as stack:
        photo = SAMPLE.read_bytes()
        users = [
            TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, FIRST_CHAT + i)
            for i in range(args.chats)
        ]
        updates = [
            (users[i % args.chats], users[i % args.chats].photo_update(photo)) for i in range(args.receipts)
        ]
        posts = updates + rng.sample(updates, round(args.receipts * args.duplicated))
        rng.shuffle(posts)
        receipts = [(user.chat_id, update["message"]["message_id"]) for user, update in updates]
        print(
            f"stack up; posting {len(posts)} updates ({len(receipts)} receipts, {args.chats} chats)",
            flush=True,
        )

        started = time.monotonic()
        failures: list[str] = []
        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = list(pool.map(lambda post: post_like_telegram(*post, failures), posts))
        burst = time.monotonic() - started
        refused = sum(status != 200 for status in statuses)
        print(
            f"burst posted in {burst:.1f} s; re-sent: {len(failures)} {sorted(set(failures))}; "
            f"refused after {RESENDS} tries: {refused}",
            flush=True,
        )

        deadline = started + args.timeout
        counts = answers_per_receipt(stack, receipts)
        while min(counts.values()) == 0 and time.monotonic() < deadline:
            time.sleep(1)
            counts = answers_per_receipt(stack, receipts)
        seconds = time.monotonic() - started
        time.sleep(3)  # room for a second answer to show up, were the pipeline to send one
        counts = answers_per_receipt(stack, receipts)

    answered = sum(n >= 1 for n in counts.values())
    duplicated = sum(n > 1 for n in counts.values())
    print(
        f"load sent={len(posts)} receipts={len(receipts)} answered={answered} "
        f"lost={len(receipts) - answered} duplicated={duplicated} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
