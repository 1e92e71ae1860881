"""Push relay: delivers Pub/Sub messages to the functions the way push subscriptions do.

The emulator's own push delivery is serial per subscription, which hides the fan-out the
cloud gives. The relay streaming-pulls every subscription with flow control and POSTs each
message at once, in the exact push envelope, to the function's URL. A 2xx acks; anything
else nacks, so the emulator redelivers with the retry policy and dead-letters after the last
attempt, exactly as it would for a push subscription.
"""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from google.cloud import pubsub_v1
from google.cloud.pubsub_v1.subscriber.message import Message
from google.cloud.pubsub_v1.subscriber.scheduler import ThreadScheduler

MAX_IN_FLIGHT = 200  # per subscription, by default: well above the 50-receipt burst of the benchmark


@dataclass
class Route:
    subscription: str  # full path projects/P/subscriptions/S
    topic: str  # full path projects/P/topics/T
    endpoint: str  # the function's base URL
    timeout_seconds: float  # the subscription's ack deadline: push gives up then too


def envelope(message: Message, subscription: str) -> dict:
    body = {
        "message": {
            "data": base64.b64encode(message.data).decode(),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "publishTime": message.publish_time.isoformat().replace("+00:00", "Z"),
        },
        "subscription": subscription,
    }
    if message.delivery_attempt is not None:
        body["deliveryAttempt"] = message.delivery_attempt
    return body


class PushRelay:
    def __init__(self, routes: list[Route], max_in_flight: int = MAX_IN_FLIGHT):
        # max_in_flight=1 delivers one message at a time per subscription (the sequential baseline).
        self.routes = routes
        self.max_in_flight = max_in_flight
        self.subscriber = pubsub_v1.SubscriberClient()
        self.session = requests.Session()
        self.session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=max_in_flight))
        self.futures = []

    def start(self) -> None:
        for route in self.routes:
            scheduler = ThreadScheduler(ThreadPoolExecutor(max_workers=self.max_in_flight))
            self.futures.append(
                self.subscriber.subscribe(
                    route.subscription,
                    callback=self._deliverer(route),
                    flow_control=pubsub_v1.types.FlowControl(max_messages=self.max_in_flight),
                    scheduler=scheduler,
                )
            )

    def _deliverer(self, route: Route):
        url = f"{route.endpoint}/{route.topic}"

        def deliver(message: Message) -> None:
            try:
                response = self.session.post(
                    url, json=envelope(message, route.subscription), timeout=route.timeout_seconds
                )
                ok = 200 <= response.status_code < 300
            except requests.RequestException:
                ok = False  # the function is down or too slow: redeliver, as push would
            if ok:
                message.ack()
            else:
                message.nack()

        return deliver

    def stop(self) -> None:
        for future in self.futures:
            future.cancel()
        for future in self.futures:
            try:
                future.result(timeout=5)
            except Exception:  # noqa: S110 - cancelled futures raise on result; nothing to do
                pass
        self.subscriber.close()
