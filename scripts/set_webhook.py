"""`make set-webhook`: point Telegram at the deployed webhook function.

Calls the Bot API's setWebhook with the function URL (the Terraform output `webhook_url`, or
WEBHOOK_URL), the secret token Telegram will send in X-Telegram-Bot-Api-Secret-Token, the
update kinds the bot handles and a connection limit; then prints getWebhookInfo. The bot
token is read from the environment and never printed (request errors are reported without
their URL, which contains it).

Environment: TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET (required); WEBHOOK_URL,
MAX_CONNECTIONS (default 40), DROP_PENDING_UPDATES=1, TELEGRAM_API_URL (default the real API).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class SetupError(Exception):
    """A problem the user can fix; the message is safe to print."""


def webhook_url(tf_dir: Path) -> str:
    url = os.environ.get("WEBHOOK_URL", "").strip()
    if not url:
        done = subprocess.run(
            ["terraform", f"-chdir={tf_dir}", "output", "-raw", "webhook_url"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SetupError(
                f"terraform output webhook_url failed (run `terraform apply` first): {done.stderr.strip()}"
            )
        url = done.stdout.strip()
    if not url.startswith("https://"):
        raise SetupError(f"the webhook URL must be https: {url!r}")
    return url


def call(api: str, token: str, method: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        response = requests.post(f"{api}/bot{token}/{method}", json=payload or {}, timeout=30)
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SetupError(f"{method}: {type(exc).__name__} (the bot token is not shown)") from None
    if not body.get("ok"):
        raise SetupError(f"{method}: {body.get('error_code')} {body.get('description')}")
    return body


def main() -> int:
    parser = argparse.ArgumentParser(description="Register the deployed webhook with Telegram.")
    parser.add_argument("--tf-dir", type=Path, default=Path("infra/terraform"))
    args = parser.parse_args()
    try:
        token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
        if not token:
            raise SetupError("set TELEGRAM_BOT_TOKEN (from @BotFather)")
        if not SECRET_TOKEN.fullmatch(secret):
            raise SetupError(
                "set TELEGRAM_WEBHOOK_SECRET to the value in Secret Manager (1-256 of A-Z a-z 0-9 _ -)"
            )
        api = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
        payload = {
            "url": webhook_url(args.tf_dir),
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "max_connections": int(os.environ.get("MAX_CONNECTIONS", "40")),
            "drop_pending_updates": os.environ.get("DROP_PENDING_UPDATES", "") == "1",
        }
        print(f"setWebhook: {call(api, token, 'setWebhook', payload).get('description', 'ok')}")
        info = call(api, token, "getWebhookInfo")["result"]
        print(f"url={info.get('url')} pending_update_count={info.get('pending_update_count')}")
        if info.get("last_error_message"):
            print(f"last error from Telegram: {info['last_error_message']}")
    except SetupError as exc:
        print(f"set-webhook: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
