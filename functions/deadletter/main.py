"""Cloud Function `deadletter` (CloudEvent from the dead-letter topics' push subscriptions).

The retry contract: returning acknowledges the message; raising has Pub/Sub deliver it again with
backoff (dead letters have no dead-letter topic of their own: until the user is told).
"""

import functions_framework
from cloudevents.http import CloudEvent
from flask import abort

from receiptbot import faults
from receiptbot import logs as log
from receiptbot.steps import deadletter as step

log.setup()


@functions_framework.cloud_event
def deadletter(cloud_event: CloudEvent) -> None:
    try:
        step.handle_event(cloud_event.data)
    except faults.Busy:
        abort(503)  # another instance is on this receipt: delivered again later (no traceback logged)
    except faults.Transient:
        raise  # a 500: delivered again later
    except faults.Permanent as fault:
        log.warning("deadletter: permanent fault, acknowledged", error=str(fault))
