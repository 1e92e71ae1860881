"""`make build`: one deployable source directory per function, build/<function>/.

Each holds the function's own files (main.py, requirements.txt) and a copy of the shared
receiptbot/ package, which is what Cloud Functions installs and imports. Terraform zips each
directory and names the upload by the zip's hash (infra/terraform/functions.tf), so the
bundle must contain only what the function needs: no caches, no tests.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", ".pytest_cache")


def build(name: str, out: Path) -> Path:
    source = ROOT / "functions" / name
    for required in ("main.py", "requirements.txt"):
        if not (source / required).is_file():
            raise FileNotFoundError(f"{source / required} is missing")
    target = out / name
    shutil.rmtree(target, ignore_errors=True)  # a file removed from the source leaves the bundle too
    shutil.copytree(source, target, ignore=IGNORE)
    shutil.copytree(ROOT / "receiptbot", target / "receiptbot", ignore=IGNORE)
    return target


def main() -> int:
    pipeline = json.loads((ROOT / "infra" / "pipeline.json").read_text(encoding="utf-8"))
    out = ROOT / "build"
    for name in pipeline["functions"]:
        target = build(name, out)
        files = sum(1 for p in target.rglob("*") if p.is_file())
        print(f"build/{name}: {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
