"""The webhook's cold start stays light: importing its entry point loads neither OpenCV, numpy,
Pillow nor the Gemini SDK (import-linter checks the import graph; this checks what really loads)."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO

HEAVY = ("cv2", "numpy", "PIL", "google.genai", "tesserocr")

PROBE = """
import json, runpy, sys
sys.path.insert(0, sys.argv[1])
runpy.run_path(sys.argv[1] + "/main.py")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {"cv2", "numpy", "PIL", "tesserocr"}
                        or m.startswith("google.genai"))))
"""


def test_the_webhook_loads_no_heavy_library() -> None:
    source = REPO / "functions" / "webhook"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(source)], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_the_probe_sees_a_heavy_library_when_one_loads() -> None:
    source = REPO / "functions" / "preprocess"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(source)], capture_output=True, text=True, check=True, timeout=60
    )
    assert "cv2" in json.loads(done.stdout.splitlines()[-1])
