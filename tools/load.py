"""Load run (`make load`, `make load UPDATES=1000`): a burst of receipts from many chats, some
updates sent twice, some chats over their daily cap.

Starts its own local stack (Gemini engine against the stand-in, ~1 s model latency, short Pub/Sub
backoff, a per-user daily cap of ``--cap``), builds photo updates from the chats (every tenth chat
sends three times as many, over its cap), and POSTs them all at once, 10% of them twice (as
Telegram does when it misses a 200). A non-200 is re-sent, as Telegram would. Then it counts what
each user received. The last line:

    load sent=<posts> receipts=<distinct updates> answered=<n> lost=<n> duplicated=<n>
         capped=<receipts over a cap> capped_chats=<n> told_once=<n> records=<n> seconds=<s>

lost: receipts within their chat's cap with no answer by the timeout; duplicated: receipts
answered more than once (a card and a cap notice count as two); told_once: chats over their cap
whose user got exactly one cap notice; records: the Firestore documents of the chats (one per
answered receipt, none for a capped one).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from devstack.stack import LocalStack, StackConfig
from devstack.user import INTERIM_TEXTS, TelegramUser
from receiptbot.bot.texts import TEXTS
from receiptbot.cloud import records

REPO = Path(__file__).resolve().parent.parent

SAMPLE = REPO / "samples" / "lidl_receipt.jpg"
FIRST_CHAT = 500_000
RESENDS = 5  # how often a non-200 is re-sent before it counts as refused
HEAVY_EVERY = 10  # every tenth chat sends three times as many receipts
CAP_NOTICES = {
    t for key in ("cap_user", "cap_chat", "cap_global", "rate_limited") for t in TEXTS[key].values()
}


def is_notice(text: str) -> bool:
    """A cap notice, whatever its numbers: its text up to the first value."""
    return any(text.startswith(notice.split("{", 1)[0]) for notice in CAP_NOTICES)


def answers_per_receipt(
    stack: LocalStack, receipts: list[tuple[int, int]]
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """(chat, message) -> how many answers its user has seen (texts shown, but the interim ones and
    the cap notices), and per chat how many cap notices it got."""
    counts = dict.fromkeys(receipts, 0)
    notices = dict.fromkeys({chat for chat, _ in receipts}, 0)
    for chat_id in notices:
        for message in stack.telegram.chat(chat_id):
            key = (chat_id, message["reply_to"])
            if key in counts:
                shown = [*message["edits"], message["text"]]
                notices[chat_id] += sum(is_notice(text) for text in shown)
                counts[key] += sum(text not in INTERIM_TEXTS for text in shown)
    return counts, notices


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
    parser.add_argument("--chats", type=int, help="default: one per ten receipts")
    parser.add_argument("--receipts", type=int, default=int(os.environ.get("UPDATES", 200)))
    parser.add_argument("--cap", type=int, default=12, help="receipts per user per day (USER_DAILY_RECEIPTS)")
    parser.add_argument("--duplicated", type=float, default=0.10, help="share of updates sent twice")
    parser.add_argument("--latency", type=float, default=1.0, help="the Gemini stand-in's seconds per call")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--log-dir", type=Path, help="keep the stack's logs here")
    args = parser.parse_args()
    chats = args.chats or max(1, args.receipts // 10)
    rng = random.Random(args.seed)

    config = StackConfig(
        engine="gemini",
        gemini_latency_seconds=args.latency,
        min_backoff_seconds=1,
        max_backoff_seconds=5,
        log_dir=args.log_dir,
        extra_env={"USER_DAILY_RECEIPTS": str(args.cap)},
    )
    with LocalStack(config) as stack:
        photo = SAMPLE.read_bytes()
        users = [
            TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, FIRST_CHAT + i)
            for i in range(chats)
        ]
        senders = [user for i, user in enumerate(users) for _ in range(3 if i % HEAVY_EVERY == 0 else 1)]
        updates = [
            (senders[i % len(senders)], senders[i % len(senders)].photo_update(photo))
            for i in range(args.receipts)
        ]
        posts = updates + rng.sample(updates, round(args.receipts * args.duplicated))
        rng.shuffle(posts)
        receipts = [(user.chat_id, update["message"]["message_id"]) for user, update in updates]
        per_chat = {user.chat_id: 0 for user in users}
        for chat_id, _ in receipts:
            per_chat[chat_id] += 1
        let_in = {chat_id: min(n, args.cap) for chat_id, n in per_chat.items()}
        print(
            f"stack up; posting {len(posts)} updates ({len(receipts)} receipts, {chats} chats, "
            f"{sum(n > args.cap for n in per_chat.values())} of them over the cap of {args.cap})",
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

        def cards(counts: dict[tuple[int, int], int], notices: dict[int, int]) -> dict[int, int]:
            """Per chat, its receipts answered with a card (every answer but the cap notices)."""
            answered = {chat_id: -notices[chat_id] for chat_id in per_chat}
            for (chat_id, _), n in counts.items():
                answered[chat_id] += min(n, 1)
            return answered

        deadline = started + args.timeout
        counts, notices = answers_per_receipt(stack, receipts)
        while cards(counts, notices) != let_in and time.monotonic() < deadline:
            time.sleep(1)
            counts, notices = answers_per_receipt(stack, receipts)
        seconds = time.monotonic() - started
        time.sleep(3)  # room for a second answer to show up, were the pipeline to send one
        counts, notices = answers_per_receipt(stack, receipts)
        # The receipt id is the document id, so a receipt has one record at most: count them.
        stored = [r for chat_id in per_chat for r in records.of_chat(chat_id)]

    answered = cards(counts, notices)
    lost = sum(max(0, let_in[chat_id] - answered[chat_id]) for chat_id in per_chat)
    duplicated = sum(n > 1 for n in counts.values())
    over = [chat_id for chat_id, n in per_chat.items() if n > args.cap]
    print(
        f"load sent={len(posts)} receipts={len(receipts)} answered={sum(answered.values())} "
        f"lost={lost} duplicated={duplicated} capped={len(receipts) - sum(let_in.values())} "
        f"capped_chats={len(over)} told_once={sum(notices[chat_id] == 1 for chat_id in over)} "
        f"records={len(stored)} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
