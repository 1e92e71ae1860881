"""`make build`: one deployable source directory per function, build/<function>/.

Each holds the function's own files (main.py, requirements.txt) and a copy of the shared
receiptbot/ package, which is what Cloud Functions installs and imports. Terraform zips each
directory and names the upload by the zip's hash (infra/terraform/modules/receipt-bot/functions.tf), so the
bundle must contain only what the function needs: no caches, no tests.

Tesseract is not in the Cloud Functions runtime: the tesserocr wheel brings libtesseract, and
the functions that read text get the traineddata files they need (from the Debian packages
`make system-deps` installs) in tessdata/ beside the package, where the engine looks for them.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "tests", ".pytest_cache")
# The traineddata each function's offline engine reads (receiptbot.reading.ocr.tesseract.LANGUAGES;
# the build test checks they agree). This script runs without the venv, so it does not import it.
TESSDATA = {"extract": ("deu", "eng", "rus")}
DEBIAN_TESSDATA = "/usr/share/tesseract-ocr/*/tessdata"


def build(name: str, out: Path) -> Path:
    source = ROOT / "functions" / name
    for required in ("main.py", "requirements.txt"):
        if not (source / required).is_file():
            raise FileNotFoundError(f"{source / required} is missing")
    target = out / name
    shutil.rmtree(target, ignore_errors=True)  # a file removed from the source leaves the bundle too
    shutil.copytree(source, target, ignore=IGNORE)
    shutil.copytree(ROOT / "receiptbot", target / "receiptbot", ignore=IGNORE)
    if name in TESSDATA:
        bundle_tessdata(TESSDATA[name], target / "tessdata")
    return target


def bundle_tessdata(languages: tuple[str, ...], folder: Path) -> None:
    """Copy the languages' traineddata from TESSDATA_PREFIX or Debian's tessdata (make system-deps)."""
    sources = [os.environ.get("TESSDATA_PREFIX"), *sorted(glob.glob(DEBIAN_TESSDATA))]
    wanted = [f"{language}.traineddata" for language in languages]
    for source in filter(None, sources):
        if all((Path(source) / file).is_file() for file in wanted):
            folder.mkdir()
            for file in wanted:
                shutil.copy2(Path(source) / file, folder)
            return
    raise FileNotFoundError(f"no {', '.join(wanted)} in {sources}: run `make system-deps`")


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
