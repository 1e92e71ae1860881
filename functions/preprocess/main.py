"""Cloud Function `preprocess` (CloudEvent from the receipts-uploaded push subscription)."""

import functions_framework
from cloudevents.http import CloudEvent

from receiptbot import logs as log
from receiptbot.steps.preprocess import handle_event

log.capture_library_logs()


@functions_framework.cloud_event
def preprocess(cloud_event: CloudEvent) -> None:
    handle_event(cloud_event.data)
