"""The retry contract, in one place: what a step raises says whether its message is delivered again.

Every delivery is at least once (Telegram re-sends an update it got no 2xx for; Pub/Sub redelivers
a message it got no 2xx for), so a step's fault is one of three kinds. Domain code raises these or
their subclasses; only each function's ``main.py`` turns them into HTTP statuses.

- ``Transient``: a retry may succeed (storage or Telegram down, a 429). Raised to the entry point:
  a 5xx, and the delivery comes again with backoff.
- ``Permanent``: retrying cannot help (not an image, the user blocked the bot). The user has been,
  or will be, answered in plain words where that is possible; the delivery is acknowledged.
- ``Busy``: another instance holds this receipt's claim. A quiet 503 (no traceback: it is flow
  control, not an error), so Pub/Sub delivers it again later, when the claim is settled.

A fault that is none of these is a bug: it raises like a transient one.
"""

from __future__ import annotations


class Transient(Exception):
    """A retry may succeed: raise, and the delivery is retried."""


class Permanent(Exception):
    """Retrying cannot help: acknowledge, never retry."""


class Busy(Exception):
    """Another instance is on this receipt right now: deliver it again later."""
