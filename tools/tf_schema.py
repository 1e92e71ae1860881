"""Check Terraform files against hashicorp/google's published schema, without the provider.

`terraform validate` needs the provider binary, which cannot be downloaded here. The PyPI
package `cdktn-provider-google` is generated from the provider's schema and ships it as a
jsii assembly (a JSON type system inside a .tgz): every resource and data source is a class
whose constructor takes a `<Name>Config` struct, one property per argument or nested block,
`optional` unless the provider marks it required. This module reads that assembly and
checks every google_* resource, data source and the provider block: unknown types, unknown
arguments and blocks, an argument written as a block (or the reverse), and missing
required arguments and blocks.

Usage: python -m tools.tf_schema DIR   (prints one line per error, then schema_errors=N)
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.tf_hcl import Block, arguments, dynamic_blocks, load_dir, nested_blocks

DISTRIBUTION = "cdktn-provider-google"
# Terraform's own arguments and blocks, allowed on every resource and data source.
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}

_TYPE_LINK = re.compile(r"/docs/(resources|data-sources)/\w+ (google_\w+)\}")
_PROPERTY_LINK = re.compile(r"#(\w+) \w+#\w+\}")
_VERSION = re.compile(r"hashicorp/google/([\d.]+)/docs")


@dataclass
class BlockSchema:
    """One block's arguments and nested blocks, each with whether it is required."""

    arguments: dict[str, bool] = field(default_factory=dict)
    blocks: dict[str, tuple[bool, bool, str]] = field(default_factory=dict)  # required, repeatable, fqn


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def _assembly_path() -> Path:
    dist = importlib.metadata.distribution(DISTRIBUTION)
    for file in dist.files or []:
        if str(file).endswith(".jsii.tgz"):
            return Path(str(dist.locate_file(file)))
    raise FileNotFoundError(f"no .jsii.tgz assembly in the installed {DISTRIBUTION}")


class ProviderSchema:
    """hashicorp/google's schema as carried by the cdktn-provider-google assembly."""

    def __init__(self, types: dict[str, Any]) -> None:
        self._types = types
        self._blocks: dict[str, BlockSchema] = {}
        self.resources: dict[str, str] = {}  # terraform type -> Config struct fqn
        self.data_sources: dict[str, str] = {}
        self.provider_config = ""
        self.version = ""
        for cls in types.values():
            if cls.get("kind") != "class" or "initializer" not in cls:
                continue
            config = next(
                (
                    p["type"].get("fqn", "")
                    for p in cls["initializer"].get("parameters", [])
                    if p["name"] == "config"
                ),
                "",
            )
            summary = cls.get("docs", {}).get("summary", "")
            if cls.get("base") == "cdktn.TerraformProvider":
                self.provider_config = config
                self.version = (_VERSION.search(summary) or _VERSION.search(json.dumps(cls["docs"]))).group(1)
            elif cls.get("base") in ("cdktn.TerraformResource", "cdktn.TerraformDataSource"):
                match = _TYPE_LINK.search(summary)
                if match:
                    table = self.resources if match.group(1) == "resources" else self.data_sources
                    table[match.group(2)] = config

    @classmethod
    def load(cls, assembly: Path | None = None) -> ProviderSchema:
        with tarfile.open(assembly or _assembly_path()) as tar:
            member = tar.extractfile("package/.jsii")
            if member is None:
                raise FileNotFoundError("package/.jsii missing from the assembly")
            return cls(json.load(member)["types"])

    def block(self, fqn: str) -> BlockSchema:
        """The arguments and nested blocks of one Config struct (built once, on first use)."""
        if fqn not in self._blocks:
            spec = BlockSchema()
            for prop in self._types[fqn].get("properties", []):
                link = _PROPERTY_LINK.search(prop.get("docs", {}).get("remarks", ""))
                name = link.group(1) if link else _snake(prop["name"])
                required = not prop.get("optional", False)
                struct = self._struct(prop["type"])
                if struct:
                    spec.blocks[name] = (required, struct[1], struct[0])
                else:
                    spec.arguments[name] = required
            self._blocks[fqn] = spec
        return self._blocks[fqn]

    def _struct(self, type_ref: dict[str, Any]) -> tuple[str, bool] | None:
        """(struct fqn, repeatable) when a property is a nested block, else None."""
        if "fqn" in type_ref and self._types.get(type_ref["fqn"], {}).get("datatype"):
            return type_ref["fqn"], False
        for option in type_ref.get("union", {}).get("types", []):
            collection = option.get("collection", {})
            element = collection.get("elementtype", {})
            if collection.get("kind") == "array" and self._types.get(element.get("fqn", ""), {}).get(
                "datatype"
            ):
                return element["fqn"], True
        return None


def check_body(schema: ProviderSchema, fqn: str, body: dict[str, Any], where: str, top: bool) -> list[str]:
    """Errors in one block body against its schema, recursing into nested and dynamic blocks."""
    spec = schema.block(fqn)
    errors: list[str] = []
    allowed_meta = META_ARGUMENTS if top else set()
    for name in arguments(body):
        if name in allowed_meta:
            continue
        if name in spec.blocks:
            errors.append(f"{where}: `{name}` is a block, not an argument")
        elif name not in spec.arguments:
            errors.append(f"{where}: unknown argument `{name}`")
    present: set[str] = set(arguments(body))
    for name, items in nested_blocks(body).items():
        if top and name in META_BLOCKS:
            continue
        present.add(name)
        if name in spec.arguments:
            errors.append(f"{where}: `{name}` is an argument, not a block")
        elif name not in spec.blocks:
            errors.append(f"{where}: unknown block `{name}`")
        else:
            _, repeatable, inner = spec.blocks[name]
            if len(items) > 1 and not repeatable:
                errors.append(f"{where}: at most one `{name}` block")
            for item in items:
                errors += check_body(schema, inner, item, f"{where}.{name}", top=False)
    for name, dyn in dynamic_blocks(body):
        present.add(name)
        if name not in spec.blocks:
            errors.append(f"{where}: unknown block `{name}` (dynamic)")
            continue
        for content in dyn.get("content", []):
            errors += check_body(schema, spec.blocks[name][2], content, f"{where}.{name}", top=False)
    for name, required in spec.arguments.items():
        if required and name not in present:
            errors.append(f"{where}: missing required argument `{name}`")
    for name, (required, _, _) in spec.blocks.items():
        if required and name not in present:
            errors.append(f"{where}: missing required block `{name}`")
    return errors


def pin_admits(constraint: str, version: str) -> bool:
    """True when a `~> X.Y[.Z]` constraint (the form versions.tf uses) admits `version`."""
    match = re.fullmatch(r"~>\s*(\d+)\.(\d+)(?:\.(\d+))?", constraint.strip())
    if not match:
        return False
    have = tuple(int(part) for part in version.split("."))
    major, minor = int(match.group(1)), int(match.group(2))
    if match.group(3) is None:
        return have[0] == major and have[1] >= minor
    return have[:2] == (major, minor) and have[2] >= int(match.group(3))


def check_pin(schema: ProviderSchema, block: Block, where: str) -> list[str]:
    """The module must pin a google provider line whose schema is the one checked against."""
    for providers in nested_blocks(block.body).get("required_providers", []):
        google = providers.get("google")
        if isinstance(google, dict) and not pin_admits(str(google.get("version", "")), schema.version):
            pinned = google.get("version")
            return [f"{where}: google version {pinned!r} does not admit {schema.version}, the schema checked"]
    return []


def check_blocks(schema: ProviderSchema, blocks: list[Block]) -> list[str]:
    errors: list[str] = []
    for block in blocks:
        where = f"{block.file}: {block.address}"
        if block.kind in ("resource", "data") and block.labels[0].startswith("google_"):
            table = schema.resources if block.kind == "resource" else schema.data_sources
            fqn = table.get(block.labels[0])
            if fqn is None:
                kind = "resource" if block.kind == "resource" else "data source"
                errors.append(f"{where}: unknown {kind} type `{block.labels[0]}` in google {schema.version}")
                continue
            errors += check_body(schema, fqn, block.body, where, top=True)
        elif block.kind == "provider" and block.labels[0] == "google":
            errors += check_body(schema, schema.provider_config, block.body, where, top=False)
        elif block.kind == "terraform":
            errors += check_pin(schema, block, f"{block.file}: terraform")
    return errors


def check_dir(tf_dir: Path) -> list[str]:
    return check_blocks(ProviderSchema.load(), load_dir(tf_dir))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    schema = ProviderSchema.load()
    errors = check_blocks(schema, load_dir(Path(argv[1])))
    for error in errors:
        print(error)
    print(f"google provider schema {schema.version}: schema_errors={len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
