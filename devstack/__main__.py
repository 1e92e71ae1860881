"""The local stack's commands.

python -m devstack dev                  # run the stack until Ctrl-C
python -m devstack demo [--photo F]     # start, send one receipt, print the answer, stop
python -m devstack send --photo F       # play a user against a running `dev` stack
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

from devstack.stack import DEV_STATE, REPO, LocalStack, StackConfig
from devstack.user import TelegramUser, plain

SAMPLE = REPO / "samples" / "lidl_receipt.jpg"

DEMO_CHAT = 424242


def send_and_wait(user: TelegramUser, photo: Path, timeout: float) -> tuple[dict, float]:
    started = time.monotonic()
    sent = user.send_photo(photo.read_bytes())
    if sent.status != 200:
        raise SystemExit(f"the webhook answered {sent.status}")
    answer = user.wait_for_answer(sent.message_id, timeout=timeout)
    return answer, time.monotonic() - started


def demo(photo: Path, engine: str, timeout: float) -> None:
    print(f"Starting the local stack (engine: {engine})…", flush=True)
    started = time.monotonic()
    with LocalStack(StackConfig(engine=engine)) as stack:
        print(f"  up in {time.monotonic() - started:.1f} s; sending {photo}", flush=True)
        user = TelegramUser(stack.url("webhook"), stack.url("telegram"), stack.webhook_secret, DEMO_CHAT)
        answer, seconds = send_and_wait(user, photo, timeout)
        print("\nThe bot answers:\n" + "-" * 60 + "\n" + plain(answer["text"]) + "\n" + "-" * 60)
        from receiptbot.cloud import records

        saved = records.of_chat(DEMO_CHAT)  # the record extract wrote to the Firestore emulator
        receipt = saved[0].receipt.model_dump(mode="json") if saved else {}
    merchant = ((receipt.get("merchant") or {}).get("name") or "").replace(" ", "_") or "-"
    print(
        f"demo total={receipt.get('total') or '-'} date={receipt.get('date') or '-'} "
        f"merchant={merchant} seconds={seconds:.2f}"
    )


def dev(engine: str) -> None:
    stack = LocalStack(StackConfig(engine=engine, fixed_ports=True, log_dir=REPO / ".stack" / "logs"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with stack:
        DEV_STATE.parent.mkdir(exist_ok=True)
        DEV_STATE.write_text(json.dumps({"secret": stack.webhook_secret, "ports": stack.ports}))
        print("Local stack is up (Ctrl-C stops all of it):")
        for name, port in stack.ports.items():
            print(f"  {name:<11} http://127.0.0.1:{port}")
        print(
            f"  logs        {stack.log_dir}\nSend a receipt from another shell: make send PHOTO=path/to.jpg"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nStopping…")
        finally:
            DEV_STATE.unlink(missing_ok=True)


def send(photo: Path, timeout: float) -> None:
    if not DEV_STATE.exists():
        raise SystemExit("No stack is running: start one with `make dev` first.")
    state = json.loads(DEV_STATE.read_text())
    ports = state["ports"]
    user = TelegramUser(
        f"http://127.0.0.1:{ports['webhook']}",
        f"http://127.0.0.1:{ports['telegram']}",
        state["secret"],
        DEMO_CHAT,
    )
    answer, seconds = send_and_wait(user, photo, timeout)
    print(plain(answer["text"]) + f"\n({seconds:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    parser.add_argument("command", choices=["dev", "demo", "send", "tour"])
    parser.add_argument("--photo", type=Path, default=SAMPLE)
    parser.add_argument("--engine", choices=["tesseract", "gemini"], default="tesseract")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.command == "dev":
        dev(args.engine)
    elif args.command == "tour":
        from devstack.tour import tour

        sys.exit(0 if tour() else 1)
    elif args.command == "demo":
        demo(args.photo, args.engine, args.timeout)
    else:
        send(args.photo, args.timeout)


if __name__ == "__main__":
    main()
