"""`make set-webhook`: point Telegram at the deployed webhook function.

Calls the Bot API's setWebhook with the function URL (the Terraform output `webhook_url`, or
WEBHOOK_URL), the secret token Telegram will send in X-Telegram-Bot-Api-Secret-Token, the
update kinds the bot handles and a connection limit; then prints getWebhookInfo. It also sets the
bot's profile in English (the default) and Russian: the command menu (setMyCommands), the text of
an empty chat (setMyDescription) and of the bot's profile (setMyShortDescription). The bot
token is read from the environment (receiptbot.settings) and never printed: the Bot API client's
errors never carry the URL, which contains it.

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

from receiptbot.bot.texts import RUSSIAN_READERS, TEXTS
from receiptbot.config import load_settings
from receiptbot.telegram.api import BotApi
from receiptbot.telegram.errors import TelegramError

REPO = Path(__file__).resolve().parent.parent

ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
MENU = ("start", "month", "export", "help", "delete")  # the command menu, in this order
# Telegram's language_code -> the texts' language; "" is every language without its own profile.
PROFILE_LANGUAGES = {"": "en"} | {code: "ru" for code in RUSSIAN_READERS}


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


def call(bot: BotApi, method: str, **params: Any) -> Any:
    """The method's result; its errors never carry the URL, which holds the token."""
    try:
        return bot.call(method, **params)
    except TelegramError as exc:
        raise SetupError(str(exc)) from None


def set_profile(bot: BotApi) -> None:
    """The command menu and the descriptions, per language the bot answers in."""
    for code, language in PROFILE_LANGUAGES.items():
        scope = {"language_code": code} if code else {}
        commands = [{"command": name, "description": TEXTS[f"cmd_{name}"][language]} for name in MENU]
        call(bot, "setMyCommands", commands=commands, **scope)
        call(bot, "setMyDescription", description=TEXTS["bot_description"][language], **scope)
        call(
            bot, "setMyShortDescription", short_description=TEXTS["bot_short_description"][language], **scope
        )


def main() -> int:
    parser = argparse.ArgumentParser(description="Register the deployed webhook with Telegram.")
    parser.add_argument("--tf-dir", type=Path, default=Path("infra/terraform/examples/simple"))
    args = parser.parse_args()
    try:
        s = load_settings()
        if not s.telegram_token.get_secret_value():
            raise SetupError("set TELEGRAM_BOT_TOKEN (from @BotFather)")
        secret = s.webhook_secret.get_secret_value()
        if not SECRET_TOKEN.fullmatch(secret):
            raise SetupError(
                "set TELEGRAM_WEBHOOK_SECRET to the value in Secret Manager (1-256 of A-Z a-z 0-9 _ -)"
            )
        bot = BotApi(s.telegram_token, s.telegram_api_url)
        call(
            bot,
            "setWebhook",
            url=webhook_url(args.tf_dir),
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=int(os.environ.get("MAX_CONNECTIONS", "40")),
            drop_pending_updates=os.environ.get("DROP_PENDING_UPDATES", "") == "1",
        )
        set_profile(bot)
        languages = ", ".join(code or "default" for code in PROFILE_LANGUAGES)
        print(f"bot profile: the command menu and descriptions set for {languages}")
        info = call(bot, "getWebhookInfo")
        print(
            f"setWebhook: ok, url={info.get('url')} pending_update_count={info.get('pending_update_count')}"
        )
        if info.get("last_error_message"):
            print(f"last error from Telegram: {info['last_error_message']}")
    except SetupError as exc:
        print(f"set-webhook: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
