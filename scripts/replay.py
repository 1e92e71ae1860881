"""Send the dead-lettered receipts (kept under failed/ in the raw bucket) through the pipeline again.

    make replay          # against a running `make dev` stack (ports from .stack/dev.json)
    GOOGLE_CLOUD_PROJECT=p RAW_BUCKET=... WORK_BUCKET=... make replay   # in the cloud

In the cloud it uses the environment as the functions do (Application Default Credentials).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEV_STATE = REPO / ".stack" / "dev.json"
LOCAL_PROJECT = "local-project"


def use_dev_stack() -> None:
    """Point the clients at the `make dev` emulators, unless a project or emulator is already set."""
    if os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("STORAGE_EMULATOR_HOST"):
        return
    if not DEV_STATE.exists():
        raise SystemExit("No `make dev` stack is running, and GOOGLE_CLOUD_PROJECT is unset.")
    ports = json.loads(DEV_STATE.read_text())["ports"]
    os.environ |= {
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{ports['pubsub']}",
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{ports['gcs']}",
        "GOOGLE_CLOUD_PROJECT": LOCAL_PROJECT,
    }


def main() -> None:
    use_dev_stack()
    from receiptbot.replay import replay_failed

    replayed = replay_failed()
    for rid in replayed:
        print(f"replayed {rid}")
    print(f"replay receipts={len(replayed)}")


if __name__ == "__main__":
    main()
