"""Cloud Function `extract` (CloudEvent from the receipts-preprocessed push subscription).

The retry contract: returning acknowledges the message; raising has Pub/Sub deliver it again with
backoff (after the last attempt it goes to the dead-letter topic). The push request's body goes to
the step too: functions-framework leaves its deliveryAttempt out of the CloudEvent.
"""

import functions_framework
from cloudevents.http import CloudEvent
from flask import abort, request

from receiptbot import faults
from receiptbot import logs as log
from receiptbot.steps import extract as step

log.setup()


@functions_framework.cloud_event
def extract(cloud_event: CloudEvent) -> None:
    try:
        step.handle_event(cloud_event.data, request.get_json(silent=True))
    except faults.Busy:
        abort(503)  # another instance is on this receipt: delivered again later (no traceback logged)
    except faults.Transient:
        raise  # a 500: delivered again later
    except faults.Permanent as fault:
        log.warning("extract: permanent fault, acknowledged", error=str(fault))
