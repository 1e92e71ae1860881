"""Send the dead-lettered receipts (kept under failed/ in the raw bucket) through the pipeline again.

    make replay                              # against a running `make dev` stack (.stack/dev.json)
    GOOGLE_CLOUD_PROJECT=my-project make replay   # against the deployment

Against the deployment it uses Application Default Credentials, and takes the bucket and topic
names from `terraform output` in infra/terraform/examples/simple (RAW_BUCKET, WORK_BUCKET and
TOPIC_UPLOADED in the environment win, for a machine without the Terraform state).

The dead-letter step keeps each failed receipt as failed/<rid>/event.json and failed/<rid>/photo
in the raw bucket. Replaying one restores its raw photo if lifecycle deletion took it, clears its
answer claim so it can be answered again, publishes its event to receipts-uploaded, and only then
removes the failed/ copy: a crash half-way leaves the copy for the next replay.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from devstack.stack import BUCKETS, DEV_STATE, PROJECT, REPO
from receiptbot import layout
from receiptbot import logs as log
from receiptbot.cloud import pubsub, storage
from receiptbot.config import Settings, settings
from receiptbot.contract import ReceiptUploaded

TF_DIR = REPO / "infra" / "terraform" / "examples" / "simple"


def use_dev_stack() -> None:
    """Point the clients at the `make dev` emulators."""
    if not DEV_STATE.exists():
        raise SystemExit("No `make dev` stack is running, and GOOGLE_CLOUD_PROJECT is unset.")
    ports = json.loads(DEV_STATE.read_text())["ports"]
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


def failed_events(s: Settings) -> list[ReceiptUploaded]:
    """Every receipt kept under failed/ (failed/<rid>/event.json beside failed/<rid>/photo)."""
    events = []
    for name in storage.names(s.raw_bucket, layout.FAILED_PREFIX):
        rid = name.removeprefix(layout.FAILED_PREFIX).split("/", 1)[0]
        if name == layout.failed_event(rid):
            events.append(ReceiptUploaded.model_validate_json(storage.read(s.raw_bucket, name)))
    return events


def replay_one(s: Settings, event: ReceiptUploaded) -> bool:
    """Send one kept receipt through again; False when its photo is gone for good."""
    rid = event.receipt_id
    if not storage.exists(s.raw_bucket, event.raw_object) and not storage.copy(
        s.raw_bucket, layout.failed_photo(rid), event.raw_object
    ):
        log.error("replay: neither the raw photo nor its failed/ copy exists, skipped", receipt_id=rid)
        return False
    # Clear the answer claim so the receipt can be answered again (it may never have been claimed,
    # e.g. dead-lettered before any answer was tried).
    storage.delete(s.work_bucket, layout.claim("answer", rid))
    pubsub.publish(s.project, s.topic_uploaded, event)
    for name in (layout.failed_photo(rid), layout.failed_event(rid)):
        storage.delete(s.raw_bucket, name)
    log.info("replay: receipt sent through the pipeline again", receipt_id=rid)
    return True


def replay_failed(s: Settings | None = None) -> list[str]:
    """Replay every kept receipt; the ids of those sent through again."""
    s = s or settings()
    return [event.receipt_id for event in failed_events(s) if replay_one(s, event)]


def main() -> None:
    log.setup()
    if os.environ.get("STORAGE_EMULATOR_HOST"):
        pass  # emulators of your own, already in the environment
    elif os.environ.get("GOOGLE_CLOUD_PROJECT"):
        os.environ |= deployment_names()
    else:
        use_dev_stack()
    replayed = replay_failed()
    for rid in replayed:
        print(f"replayed {rid}")
    print(f"replay receipts={len(replayed)}")


if __name__ == "__main__":
    main()
