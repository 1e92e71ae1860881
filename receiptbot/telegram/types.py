"""Reading fields out of Telegram updates, which come from outside and may have any shape.

A field of the wrong type reads as missing, so odd updates are ignored (200), never a 500
that Telegram would re-send again and again.
"""

from __future__ import annotations

from typing import Any


def dig(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def int_of(value: Any) -> int | None:
    """An integer field (ids, sizes); booleans, floats and strings read as missing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_of(value: Any) -> str | None:
    return value if isinstance(value, str) else None
