"""Check Terraform files against hashicorp/google's schema, without the provider.

`terraform validate` needs the provider binary, which cannot be downloaded here (wherever it can,
`terraform init -backend=false && terraform validate` replaces this check). The PyPI package
cdktn-provider-google is generated from the provider's schema and carries it as a jsii assembly:
each resource and data source is a class whose constructor takes a `<Name>Config` struct, one
property per argument or nested block (a block is a struct, or a list of structs), optional unless
the provider requires it. Checked: unknown types, arguments and blocks, an argument written as a
block or the reverse, a repeated single block, missing required ones, versions.tf's pin, a resource
that takes labels without them, and a local module called with an argument it does not have or
without a required one. Every directory of `*.tf` files under DIR is checked (modules, examples).

Usage: python -m tools.tf.schema DIR   (prints one line per error, then schema_errors=N)
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hcl2.query.blocks import BlockView

from tools.tf.hcl import META, load_dir, module_dirs

DISTRIBUTION = "cdktn-provider-google"
BASES = {
    "cdktn.TerraformProvider": "provider",
    "cdktn.TerraformResource": "resource",
    "cdktn.TerraformDataSource": "data",
}


def _key(name: str) -> str:
    """A name compared without case or underscores: jsii's camelCase loses some of Terraform's
    underscores (source_md5hash is sourceMd5Hash), and cdktn renames a few clashing names
    (build is buildAttribute)."""
    return name.replace("_", "").lower()


@dataclass(frozen=True)
class Field:
    name: str  # snake_case, for messages
    required: bool
    struct: str | None  # a nested block's struct, None for an argument
    repeatable: bool


class ProviderSchema:
    """hashicorp/google's schema as carried by the cdktn-provider-google assembly."""

    def __init__(self, types: dict[str, Any], version: str) -> None:
        self.types = types
        self.version = version
        self.configs: dict[tuple[str, str], str] = {}  # (resource/data/provider, type) -> Config struct
        for cls in types.values():
            kind = BASES.get(cls.get("base", ""))
            if kind is None:
                continue
            config = next(p for p in cls["initializer"]["parameters"] if p["name"] == "config")
            # cdktn generates one source directory per type, named after it: src/data-google-project/.
            directory = cls["locationInModule"]["filename"].split("/")[-2].replace("-", "_")
            name = {"resource": f"google_{directory}", "data": directory.removeprefix("data_")}.get(kind)
            self.configs[(kind, name or "google")] = config["type"]["fqn"]

    @classmethod
    def load(cls) -> ProviderSchema:
        dist = importlib.metadata.distribution(DISTRIBUTION)
        assembly = next(f for f in dist.files or [] if str(f).endswith(".jsii.tgz"))
        with tarfile.open(str(dist.locate_file(assembly))) as tar:
            package = json.load(tar.extractfile("package/package.json"))  # type: ignore[arg-type]
            types = json.load(tar.extractfile("package/.jsii"))["types"]  # type: ignore[arg-type]
        return cls(types, package["cdktn"]["provider"]["version"])

    @functools.cache  # noqa: B019 (one schema per run)
    def fields(self, struct: str) -> dict[str, Field]:
        found = {}
        for prop in self.types[struct].get("properties", []):
            name = re.sub(r"(?<!^)(?=[A-Z])", "_", prop["name"]).lower()
            one = prop["type"].get("fqn", "")
            options = prop["type"].get("union", {}).get("types", [])
            arrays = [t["collection"] for t in options if t.get("collection", {}).get("kind") == "array"]
            many = arrays[0]["elementtype"].get("fqn", "") if arrays else ""
            block = next((s for s in (one, many) if self.types.get(s, {}).get("datatype")), None)
            field = Field(name, not prop.get("optional", False), block, block == many)
            found[_key(prop["name"])] = found[_key(prop["name"].removesuffix("Attribute"))] = field
        return found


def check_body(schema: ProviderSchema, struct: str, block: BlockView, where: str, top: bool) -> list[str]:
    """Errors in one block body against its struct, recursing into nested and dynamic blocks."""
    fields, errors, present = schema.fields(struct), [], set()
    for name in (a.name for a in block.attributes()):
        field = fields.get(_key(name))
        present.add(field)
        if top and name in META:
            continue
        if field is None:
            errors.append(f"{where}: unknown argument `{name}`")
        elif field.struct:
            errors.append(f"{where}: `{name}` is a block, not an argument")
    literal: Counter[str] = Counter()
    for inner in block.blocks():
        name, content = inner.block_type, [inner]
        if name == "dynamic":
            name, content = inner.name_labels[0], inner.blocks("content")
        elif top and name in META:
            continue
        else:
            literal[name] += 1
        field = fields.get(_key(name))
        present.add(field)
        if field is None:
            errors.append(f"{where}: unknown block `{name}`")
        elif field.struct is None:
            errors.append(f"{where}: `{name}` is an argument, not a block")
        else:
            if literal[name] == 2 and not field.repeatable:
                errors.append(f"{where}: at most one `{name}` block")
            for body in content:
                errors += check_body(schema, field.struct, body, f"{where}.{name}", top=False)
    for field in sorted(set(fields.values()) - present, key=lambda f: f.name):
        if field.required:
            errors.append(
                f"{where}: missing required {'block' if field.struct else 'argument'} `{field.name}`"
            )
    return errors


def missing_labels(fields: dict[str, Field], block: BlockView, where: str) -> list[str]:
    """A resource that takes labels must set them (billing groups costs by them). Monitoring's
    own `labels` configure a channel: its resources carry theirs as `user_labels`."""
    wanted = "user_labels" if "userlabels" in fields else "labels" if "labels" in fields else None
    if wanted is None or block.attribute(wanted) is not None:
        return []
    return [f"{where}: no `{wanted}` (every resource that takes labels gets the module's labels)"]


# A module call's own arguments, beside its input variables.
MODULE_META = {"source", "version", "providers", "count", "for_each", "depends_on"}


def check_module_call(directory: Path, block: BlockView, where: str) -> list[str]:
    """A call of a local module: every argument is one of its variables, every required one is set."""
    source = (block.attribute("source").value or "").strip('"') if block.attribute("source") else ""
    if not source.startswith(("./", "../")):
        return []
    variables = {
        b.name_labels[0]: b.attribute("default") is not None
        for _, b in load_dir(directory / source)
        if b.block_type == "variable"
    }
    given = {a.name for a in block.attributes()} - MODULE_META
    errors = [
        f"{where}: module {source} has no variable `{name}`" for name in sorted(given - variables.keys())
    ]
    missing = sorted(name for name, optional in variables.items() if not optional and name not in given)
    return errors + [f"{where}: missing required variable `{name}` of {source}" for name in missing]


def check_dir(tf_dir: Path, schema: ProviderSchema) -> list[str]:
    """Every module and example under tf_dir (messages name files relative to it)."""
    errors: list[str] = []
    for directory in module_dirs(tf_dir):
        for name, block in load_dir(directory):
            errors += check_block(schema, directory, (directory / name).relative_to(tf_dir).as_posix(), block)
    return errors


def check_block(schema: ProviderSchema, directory: Path, file: str, block: BlockView) -> list[str]:
    errors: list[str] = []
    kind, labels = block.block_type, block.name_labels
    where = f"{file}: {'.'.join(labels if kind == 'resource' else block.labels)}"
    if kind in ("resource", "data") and labels[0].startswith("google_"):
        struct = schema.configs.get((kind, labels[0]))
        if struct is None:
            what = "resource" if kind == "resource" else "data source"
            errors.append(f"{where}: unknown {what} type `{labels[0]}` in google {schema.version}")
        else:
            errors += check_body(schema, struct, block, where, top=True)
            if kind == "resource":
                errors += missing_labels(schema.fields(struct), block, where)
    elif kind == "provider" and labels == ["google"]:
        errors += check_body(schema, schema.configs[("provider", "google")], block, where, top=False)
    elif kind == "module":
        errors += check_module_call(directory, block, where)
    for providers in block.blocks("required_providers") if kind == "terraform" else []:
        google = providers.attribute("google")
        pinned = (
            google.value.get("version", "").strip('"') if google and isinstance(google.value, dict) else ""
        )
        line = "~> " + ".".join(schema.version.split(".")[:2])  # the minor line whose schema is checked
        if google and pinned != line:
            errors.append(f"{file}: terraform: google version {pinned!r} is not {line!r}, the schema checked")
    return errors


if __name__ == "__main__":
    provider = ProviderSchema.load()
    problems = check_dir(Path(sys.argv[1]), provider)
    print(*problems, f"google provider schema {provider.version}: schema_errors={len(problems)}", sep="\n")
    sys.exit(1 if problems else 0)
