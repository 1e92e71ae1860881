"""The webhook's cold start stays light: importing its entry point loads neither OpenCV, numpy,
Pillow nor the Gemini SDK (import-linter checks the import graph; this checks what really loads),
nor the Firestore client, which the requests that use it import (records.firestore_module)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO

HEAVY = (
    "cv2",
    "numpy",
    "PIL",
    "google.genai",
    "tesserocr",
    "rapidocr",
    "onnxruntime",
    "google.cloud.firestore",
    "google.cloud.firestore_v1",
)

# Runs the function's main.py as functions-framework does (receiptbot is installed), then lists
# the heavy modules that were loaded.
PROBE = """
import json, runpy, sys
runpy.run_path(sys.argv[1] + "/main.py")
heavy = sys.argv[2].split(",")
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def heavy_modules_loaded(function: str) -> list[str]:
    source = REPO / "functions" / function
    argv = [sys.executable, "-c", PROBE, str(source), ",".join(HEAVY)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout.splitlines()[-1])


def test_the_webhook_loads_no_heavy_library() -> None:
    assert heavy_modules_loaded("webhook") == []


def test_the_probe_sees_a_heavy_library_when_one_loads() -> None:
    assert "cv2" in heavy_modules_loaded("preprocess")
