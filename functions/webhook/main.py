"""Cloud Function `webhook` (HTTP): Telegram's updates come in here.

The retry contract: Telegram sends an update again until it gets a 2xx, so a transient fault is a
503 (the update comes back), and a permanent one is a 200 (a re-send would fail the same way).
"""

import functions_framework
from flask import Request

from receiptbot import faults
from receiptbot import logs as log
from receiptbot.steps import webhook as step

log.setup()


@functions_framework.http
def webhook(request: Request) -> tuple[str, int]:
    try:
        return step.handle_request(request)
    except faults.Transient as fault:
        log.error("webhook: transient fault, Telegram will resend", error=str(fault))
        return "temporarily unavailable", 503
    except faults.Permanent as fault:
        log.warning("webhook: permanent fault, acknowledged", error=str(fault))
        return "ignored", 200
