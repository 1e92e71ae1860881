"""Cloud Function `export` (CloudEvent from the exports-requested push subscription).

The retry contract: returning acknowledges the message; raising has Pub/Sub deliver it again with
backoff (after the last attempt it goes to the dead-letter topic, whose handler tells the user).
"""

import functions_framework
from cloudevents.http import CloudEvent
from flask import abort

from receiptbot import faults
from receiptbot import logs as log
from receiptbot.steps import export as step

log.setup()


@functions_framework.cloud_event
def export(cloud_event: CloudEvent) -> None:
    try:
        step.handle_event(cloud_event.data)
    except faults.Busy:
        abort(503)  # another instance is on this request: delivered again later (no traceback logged)
    except faults.Transient:
        raise  # a 500: delivered again later
    except faults.Permanent as fault:
        log.warning("export: permanent fault, acknowledged", error=str(fault))
