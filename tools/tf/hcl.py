"""Terraform files read with python-hcl2's query API: blocks, their arguments and nested blocks."""

from __future__ import annotations

from pathlib import Path

from hcl2.query.blocks import BlockView
from hcl2.query.body import DocumentView

# Terraform's own arguments and blocks of a resource or data source, beside the provider's.
META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def module_dirs(tf_dir: Path) -> list[Path]:
    """Every directory under tf_dir that holds `*.tf` files (a module or an example), .terraform/ aside."""
    found = {path.parent for path in tf_dir.rglob("*.tf") if ".terraform" not in path.parts}
    return sorted(found)


def load_dir(tf_dir: Path) -> list[tuple[str, BlockView]]:
    """(file name, block) for every top-level block of every `*.tf` file (not recursive, like Terraform)."""
    return [
        (path.name, block)
        for path in sorted(tf_dir.glob("*.tf"))
        for block in DocumentView.parse_file(str(path)).blocks()
    ]


def expression(block: BlockView, name: str) -> str | None:
    """The HCL text of one argument of a block, None when the block does not set it."""
    attribute = block.attribute(name)
    return None if attribute is None else attribute.value_node.to_hcl()
