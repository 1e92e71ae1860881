"""Why an upload cannot be read. The reasons are the user's text keys (bot/texts.py), so each
one becomes a plain-words answer; the checks that raise them are in decode.py and prepare.py."""

from __future__ import annotations

REJECTION_REASONS = ("not_image", "too_large", "too_small", "blurry", "too_dark", "no_document")


class ImageRejected(Exception):
    """The upload cannot be read; ``reason`` (one of REJECTION_REASONS) says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in REJECTION_REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
