"""Send the dead-lettered receipts (kept under failed/ in the raw bucket) through the pipeline again.

    make replay                              # against a running `make dev` stack (.stack/dev.json)
    GOOGLE_CLOUD_PROJECT=my-project make replay   # against the deployment

Against the deployment it uses Application Default Credentials, and takes the bucket and topic
names from `terraform output` in infra/terraform (RAW_BUCKET, WORK_BUCKET and TOPIC_UPLOADED in
the environment win, for a machine without the Terraform state).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TF_DIR = REPO / "infra" / "terraform"

from devstack.__main__ import STATE  # noqa: E402 - the repository root is on sys.path from here on
from devstack.stack import BUCKETS, PROJECT  # noqa: E402


def use_dev_stack() -> None:
    """Point the clients at the `make dev` emulators."""
    if not STATE.exists():
        raise SystemExit("No `make dev` stack is running, and GOOGLE_CLOUD_PROJECT is unset.")
    ports = json.loads(STATE.read_text())["ports"]
    os.environ |= BUCKETS | {
        "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{ports['pubsub']}",
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{ports['gcs']}",
        "GOOGLE_CLOUD_PROJECT": PROJECT,
    }


def deployment_names(tf_dir: Path = TF_DIR) -> dict[str, str]:
    """RAW_BUCKET, WORK_BUCKET and TOPIC_UPLOADED: from the environment, else the Terraform outputs."""
    wanted = ("RAW_BUCKET", "WORK_BUCKET", "TOPIC_UPLOADED")
    if all(os.environ.get(name) for name in wanted):
        return {name: os.environ[name] for name in wanted}
    done = subprocess.run(
        ["terraform", f"-chdir={tf_dir}", "output", "-json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"terraform output failed ({done.stderr.strip()}): "
            "set RAW_BUCKET, WORK_BUCKET and TOPIC_UPLOADED instead"
        )
    outputs = {name: output["value"] for name, output in json.loads(done.stdout).items()}
    deployed = {
        "RAW_BUCKET": outputs["raw_bucket"],
        "WORK_BUCKET": outputs["work_bucket"],
        "TOPIC_UPLOADED": outputs["topics"]["receipts-uploaded"],
    }
    return {name: os.environ.get(name) or value for name, value in deployed.items()}


def main() -> None:
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        pass  # emulators of your own, already in the environment
    elif os.environ.get("GOOGLE_CLOUD_PROJECT"):
        os.environ |= deployment_names()
    else:
        use_dev_stack()
    from receiptbot.replay import replay_failed

    replayed = replay_failed()
    for rid in replayed:
        print(f"replayed {rid}")
    print(f"replay receipts={len(replayed)}")


if __name__ == "__main__":
    main()
