"""Read a Terraform directory with python-hcl2 into plain Python values.

Strings come back without their quotes, blocks as lists of dicts marked ``__is_block__``
(so a block and an object-valued argument can be told apart), comments dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=True)
MARKER = "__is_block__"
# How many labels each top-level block kind carries.
LABELS = {"resource": 2, "data": 2, "ephemeral": 2, "provider": 1, "variable": 1, "output": 1, "module": 1}


@dataclass(frozen=True)
class Block:
    kind: str  # resource, data, provider, variable, output, module, locals, terraform, ...
    labels: tuple[str, ...]
    body: dict[str, Any]
    file: str

    @property
    def address(self) -> str:
        return ".".join(self.labels if self.kind == "resource" else (self.kind, *self.labels))


def is_block_list(value: Any) -> bool:
    return (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get(MARKER) for v in value)
    )


def arguments(body: dict[str, Any]) -> dict[str, Any]:
    """The `name = value` entries of a block body."""
    return {
        k: v for k, v in body.items() if not k.startswith("__") and k != "dynamic" and not is_block_list(v)
    }


def nested_blocks(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The literal nested blocks of a block body, by type (see dynamic_blocks for the others)."""
    return {k: v for k, v in body.items() if not k.startswith("__") and k != "dynamic" and is_block_list(v)}


def dynamic_blocks(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(block type, dynamic block body) for every `dynamic "type" { ... }` in a body."""
    for entry in body.get("dynamic", []):
        for label, dyn in entry.items():
            if not label.startswith("__"):
                yield label, dyn


def _unlabel(
    kind: str, entry: dict[str, Any], depth: int, labels: tuple[str, ...], file: str
) -> Iterator[Block]:
    if depth == 0:
        yield Block(kind, labels, entry, file)
        return
    for label, inner in entry.items():
        if not label.startswith("__"):
            yield from _unlabel(kind, inner, depth - 1, (*labels, label), file)


def parse_text(text: str, file: str = "<text>") -> list[Block]:
    doc = hcl2.loads(text, serialization_options=OPTIONS)
    found: list[Block] = []
    for kind, entries in doc.items():
        for entry in entries:
            found.extend(_unlabel(kind, entry, LABELS.get(kind, 0), (), file))
    return found


def load_dir(tf_dir: Path) -> list[Block]:
    """Every top-level block of every `*.tf` file in a directory (not recursive, like Terraform)."""
    found: list[Block] = []
    for path in sorted(tf_dir.glob("*.tf")):
        found.extend(parse_text(path.read_text(encoding="utf-8"), path.name))
    return found


def merged_locals(blocks: list[Block]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in blocks:
        if block.kind == "locals":
            values.update(arguments(block.body))
    return values
