"""Cloud Function `deadletter` (CloudEvent from the dead-letter topics' push subscriptions)."""

import functions_framework
from cloudevents.http import CloudEvent

from receiptbot import logs as log
from receiptbot.steps.deadletter import handle_event

log.capture_library_logs()


@functions_framework.cloud_event
def deadletter(cloud_event: CloudEvent) -> None:
    handle_event(cloud_event.data)
