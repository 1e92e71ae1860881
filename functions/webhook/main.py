"""Cloud Function `webhook` (HTTP): Telegram's updates come in here."""

import functions_framework
from flask import Request

from receiptbot import logs as log
from receiptbot.steps.webhook import handle_request

log.capture_library_logs()


@functions_framework.http
def webhook(request: Request) -> tuple[str, int]:
    return handle_request(request)
