"""The module's Inputs and Outputs tables in infra/terraform/README.md, generated from its variables
and outputs (what terraform-docs does; its binary cannot be installed here), and the README rules.

`make tf-docs` writes the tables between their markers; `make tf-check` fails when they are out of
date, and when a README tells the deployer to `-replace` a function (that drops its Cloud Run
invoker bindings: rotate secrets by version instead).

Usage: python -m tools.tf.docs [--dir infra/terraform] [--write]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from hcl2.query.blocks import BlockView

from tools.tf.hcl import expression, load_dir, module_dirs

MODULE = Path("modules") / "receipt-bot"
README = "README.md"
TABLES = ("inputs", "outputs")
# Deprecated advice: replacing a function recreates its service without the invoker bindings.
REPLACE = re.compile(r"(?<![\w-])-replace\b")


def markers(table: str) -> tuple[str, str]:
    return f"<!-- tf-docs:{table}:begin (make tf-docs) -->", f"<!-- tf-docs:{table}:end -->"


def _text(value: str | None) -> str:
    """An attribute's HCL as one table cell: on one line, quotes unescaped, pipes escaped."""
    if value is None:
        return ""
    one_line = " ".join(value.split())
    if one_line.startswith('"') and one_line.endswith('"'):
        one_line = one_line[1:-1].replace('\\"', '"')
    return one_line.replace("|", "\\|")


def _type(block: BlockView) -> str:
    text = _text(expression(block, "type")) or "any"
    return re.sub(r"\(\{.*\}\)", "({...})", text)  # an object's fields are in its description


def tables(module_dir: Path) -> dict[str, str]:
    """Markdown tables of the module's variables (in file order) and outputs."""
    blocks = [block for _, block in load_dir(module_dir)]
    inputs = ["| Name | Type | Default | Description |", "|---|---|---|---|"]
    outputs = ["| Name | Description |", "|---|---|"]
    for block in blocks:
        name = block.name_labels[0] if block.name_labels else ""
        description = _text(expression(block, "description"))
        if block.block_type == "variable":
            default = expression(block, "default")
            shown = "(required)" if default is None else f"`{_text(default)}`"
            inputs.append(f"| `{name}` | `{_type(block)}` | {shown} | {description} |")
        elif block.block_type == "output":
            outputs.append(f"| `{name}` | {description} |")
    return {"inputs": "\n".join(inputs), "outputs": "\n".join(outputs)}


def rendered(readme: str, generated: dict[str, str]) -> str:
    """The README with each table replaced between its markers (ValueError when a marker is missing)."""
    for table, text in generated.items():
        begin, end = markers(table)
        if begin not in readme or end not in readme:
            raise ValueError(f"{README} has no {begin} ... {end} markers")
        head, rest = readme.split(begin, 1)
        readme = f"{head}{begin}\n{text}\n{end}{rest.split(end, 1)[1]}"
    return readme


def check_dir(tf_dir: Path) -> list[str]:
    """The tables are up to date; no README advises `-replace`."""
    errors = []
    readme = tf_dir / README
    try:
        if rendered(readme.read_text(encoding="utf-8"), tables(tf_dir / MODULE)) != readme.read_text(
            encoding="utf-8"
        ):
            errors.append(f"{README}: the Inputs/Outputs tables are out of date: run `make tf-docs`")
    except (OSError, ValueError) as exc:
        errors.append(f"{README}: {exc}")
    for path in [readme, *(d / README for d in module_dirs(tf_dir))]:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if REPLACE.search(line):
                errors.append(
                    f"{path.relative_to(tf_dir)}:{number}: `-replace` of a function drops its invoker"
                    " bindings (rotate a secret by its version in secret_versions)"
                )
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("infra/terraform"))
    parser.add_argument("--write", action="store_true", help="rewrite the tables in README.md")
    args = parser.parse_args()
    if args.write:
        readme = args.dir / README
        readme.write_text(
            rendered(readme.read_text(encoding="utf-8"), tables(args.dir / MODULE)), encoding="utf-8"
        )
    errors = check_dir(args.dir)
    print(*errors, f"docs_errors={len(errors)}", sep="\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
