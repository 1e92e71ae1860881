"""Cloud Function `webhook` (HTTP): Telegram's updates come in here."""

import functions_framework
from flask import Request

from receiptbot.webhook import handle_request


@functions_framework.http
def webhook(request: Request) -> tuple[str, int]:
    return handle_request(request)
