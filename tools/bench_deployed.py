"""`make bench-deployed`: the concurrency benchmark against a deployed bot (issue 16).

For each N it uploads N copies of the benchmark's receipt photo to the raw bucket as photos of one
test chat, publishes their `receipts-uploaded` events at once (the webhook's download from Telegram
is the only step skipped), and waits for each receipt's record in Firestore. It prints the table of
`make bench` (end-to-end p50/p95 per N; "ack" is the publish's round trip here, and with no known
model latency the overhead columns equal the end-to-end ones) and, read from Cloud Monitoring when
it can be, how many instances each function ran. The records and photos it made are deleted at
the end, so the test chat's month totals are left as they were.

It costs money and writes to a real chat: it says what, and runs only with --yes. --dry-run prints
the plan and touches nothing. With the emulators' hosts in the environment (PUBSUB_EMULATOR_HOST,
STORAGE_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST) the same code runs against the local stack.

Usage: python -m tools.bench_deployed --project P --chat-id C [--region R] [--sizes 1,5,20]
       [--tf-dir infra/terraform/examples/simple | --raw-bucket B --topic T --database D] --yes
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.cloud import firestore, storage

from receiptbot import layout
from receiptbot.cloud import pubsub
from receiptbot.cloud.records import RECEIPTS
from receiptbot.contract import ReceiptUploaded
from tools.bench import bench_photo, print_table, summarise

SIZES = (1, 5, 20)
MAX_SIZE = 100
POLL_SECONDS = 0.25  # the end-to-end times' resolution
EMULATOR_HOSTS = ("PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST")
FUNCTIONS = ("webhook", "preprocess", "extract", "export", "deadletter")
INSTANCES_METRIC = "run.googleapis.com/container/instance_count"
MONITORING_LAG_SECONDS = 180  # Cloud Monitoring shows a minute's instance count a few minutes later


@dataclass(frozen=True)
class Target:
    project: str
    region: str
    chat_id: int
    raw_bucket: str
    topic: str
    database: str
    name_prefix: str

    @property
    def local(self) -> bool:
        return all(os.environ.get(host) for host in EMULATOR_HOSTS)


def terraform_outputs(tf_dir: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["terraform", f"-chdir={tf_dir}", "output", "-json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"terraform output failed in {tf_dir} (or give --raw-bucket, --topic and --database): "
            f"{done.stderr.strip()}"
        )
    return {name: output["value"] for name, output in json.loads(done.stdout or "{}").items()}


def target_from(args: argparse.Namespace) -> Target:
    names = (args.raw_bucket, args.topic, args.database)
    outputs = {} if all(names) else terraform_outputs(args.tf_dir)
    topic = args.topic or outputs.get("topics", {}).get("receipts-uploaded")
    raw, database = (
        args.raw_bucket or outputs.get("raw_bucket"),
        args.database or outputs.get("firestore_database"),
    )
    if not (raw and topic and database):
        raise SystemExit("the raw bucket, the receipts-uploaded topic and the Firestore database are unknown")
    # The functions are named <prefix>-<function>; the topic is <prefix>-receipts-uploaded.
    prefix = topic.removesuffix("-receipts-uploaded") if topic != "receipts-uploaded" else ""
    return Target(args.project, args.region, args.chat_id, raw, topic, database, prefix)


def cost_notice(target: Target, sizes: tuple[int, ...]) -> str:
    total = sum(sizes)
    where = "the local stack (emulators)" if target.local else f"project {target.project}"
    return (
        f"bench-deployed on {where}: {total} receipts ({' + '.join(map(str, sizes))}) as photos of chat "
        f"{target.chat_id}.\nIt costs: {total} Gemini requests at your model's price (one image each), "
        f"{total} runs of preprocess and extract, {total} cards the bot posts in chat {target.chat_id}, "
        f"and {total} photos in gs://{target.raw_bucket} and records in Firestore database "
        f"{target.database} (deleted at the end)."
    )


def send(target: Target, photo: bytes, message_id: int) -> tuple[str, float, float]:
    """Upload one photo and publish its event: (receipt id, start, publish round trip in ms)."""
    rid = layout.receipt_id(target.chat_id, message_id)
    started = time.monotonic()
    storage.Client(project=target.project).bucket(target.raw_bucket).blob(
        layout.raw_photo(rid)
    ).upload_from_string(photo, content_type="application/octet-stream")
    event = ReceiptUploaded(
        receipt_id=rid,
        chat_id=target.chat_id,
        message_id=message_id,
        user_id=target.chat_id,  # a private chat: the chat is its user
        raw_object=layout.raw_photo(rid),
        sent_at=int(time.time()),
    )
    published = time.monotonic()
    pubsub.publish(target.project, target.topic, event)
    return rid, started, 1000 * (time.monotonic() - published)


def burst(
    target: Target, records: firestore.Client, photo: bytes, n: int, first_id: int, timeout: float
) -> list[dict]:
    """N receipts at once; each sample's end-to-end time ends when its record is seen in Firestore."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        sent = list(pool.map(lambda i: send(target, photo, first_id + i), range(n)))
    pending = {rid: (started, ack) for rid, started, ack in sent}
    samples, deadline = [], time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        refs = [records.collection(RECEIPTS).document(rid) for rid in pending]
        seen = time.monotonic()
        for snapshot in records.get_all(refs):
            if snapshot.exists:
                started, ack = pending.pop(snapshot.id)
                samples.append(
                    {"e2e_s": seen - started, "ack_ms": ack, "status": 200, "receipt_id": snapshot.id}
                )
        time.sleep(POLL_SECONDS)
    samples += [
        {"e2e_s": None, "ack_ms": ack, "status": 200, "receipt_id": rid} for rid, (_, ack) in pending.items()
    ]
    return samples


def instances_used(target: Target, start: dt.datetime, end: dt.datetime) -> dict[str, int] | str:
    """The most instances each function ran between start and end (Cloud Monitoring), or why not known."""
    if target.local:
        return "not measured on the local stack (one process per function)"
    import google.auth  # only against a real project
    from google.auth.transport.requests import AuthorizedSession

    try:
        session = AuthorizedSession(
            google.auth.default(scopes=["https://www.googleapis.com/auth/monitoring.read"])[0]
        )
        used = {}
        for function in FUNCTIONS:
            service = f"{target.name_prefix}-{function}" if target.name_prefix else function
            response = session.get(
                f"https://monitoring.googleapis.com/v3/projects/{target.project}/timeSeries",
                params={
                    "filter": f'metric.type = "{INSTANCES_METRIC}" '
                    f'AND resource.labels.service_name = "{service}"',
                    "interval.startTime": start.isoformat(),
                    "interval.endTime": end.isoformat(),
                    "aggregation.alignmentPeriod": "60s",
                    "aggregation.perSeriesAligner": "ALIGN_MAX",
                    "aggregation.crossSeriesReducer": "REDUCE_SUM",
                },
                timeout=30,
            )
            response.raise_for_status()
            points = [p for series in response.json().get("timeSeries", []) for p in series["points"]]
            used[function] = max(
                (int(float(p["value"].get("int64Value", p["value"].get("doubleValue", 0)))) for p in points),
                default=0,
            )
        return used
    except Exception as exc:  # any failure: the table stands without the counts
        return f"not readable from Cloud Monitoring ({type(exc).__name__}: {str(exc)[:200]})"


def clean_up(target: Target, records: firestore.Client, receipt_ids: list[str]) -> None:
    bucket = storage.Client(project=target.project).bucket(target.raw_bucket)
    for rid in receipt_ids:
        records.collection(RECEIPTS).document(rid).delete()
        blob = bucket.blob(layout.raw_photo(rid))
        if blob.exists():
            blob.delete()


def parse_sizes(text: str) -> tuple[int, ...]:
    sizes = tuple(int(part) for part in text.split(",") if part.strip())
    if not sizes or any(not 1 <= n <= MAX_SIZE for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers from 1 to {MAX_SIZE}, e.g. 1,5,20")
    return sizes


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=os.environ.get("GOOGLE_CLOUD_PROJECT"), help="the project id")
    parser.add_argument("--region", default="europe-west1", help="the functions' region (for the report)")
    parser.add_argument("--chat-id", type=int, required=True, help="a test chat the bot may write to")
    parser.add_argument("--sizes", type=parse_sizes, default=SIZES, help="burst sizes, e.g. 1,5,20")
    parser.add_argument("--tf-dir", type=Path, default=Path("infra/terraform/examples/simple"))
    parser.add_argument("--raw-bucket", help="default: terraform output raw_bucket")
    parser.add_argument("--topic", help="the receipts-uploaded topic; default: terraform output topics")
    parser.add_argument(
        "--database", help="the Firestore database; default: terraform output firestore_database"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for a burst's records")
    parser.add_argument("--yes", action="store_true", help="run, knowing what it costs")
    parser.add_argument("--dry-run", action="store_true", help="print what would be done, touch nothing")
    args = parser.parse_args(argv)
    if not args.project:
        parser.error("--project is required (or GOOGLE_CLOUD_PROJECT)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    target = target_from(args)
    print(cost_notice(target, args.sizes))
    if args.dry_run:
        print(f"dry run: would publish to {target.topic} and wait in {target.database}; nothing was sent")
        return 0
    if not args.yes:
        print("Not run: add --yes (make bench-deployed ... YES=1) to run it.", file=sys.stderr)
        return 2
    photo, _ = bench_photo()
    records = firestore.Client(project=target.project, database=target.database)
    first_id = int(time.time()) % 1_000_000 * 1000  # fresh message ids in the test chat on every run
    rows, made, windows = [], [], []
    for n in args.sizes:
        start = dt.datetime.now(dt.UTC)
        samples = burst(target, records, photo, n, first_id, args.timeout)
        windows.append((start, dt.datetime.now(dt.UTC)))
        first_id += n
        made += [s["receipt_id"] for s in samples]
        rows.append(summarise(n, samples, latency=0.0))
        print(f"   N={n:<3} e2e p50={rows[-1]['e2e_p50']:.2f} s p95={rows[-1]['e2e_p95']:.2f} s", flush=True)
    clean_up(target, records, made)
    if not target.local:
        print(f"waiting {MONITORING_LAG_SECONDS} s for Cloud Monitoring's instance counts", flush=True)
        time.sleep(MONITORING_LAG_SECONDS)
    for row, (start, end) in zip(rows, windows, strict=True):
        row["instances"] = instances_used(target, start, end)
    print_table(
        f"Deployed pipeline ({'local stack' if target.local else target.project}), records in Firestore:",
        rows,
    )
    for row in rows:
        used = row["instances"]
        shown = used if isinstance(used, str) else " ".join(f"{name}={count}" for name, count in used.items())
        print(f"instances N={row['n']}: {shown}")
    failed = sum(row["unanswered"] for row in rows)
    print(
        f"bench-deployed receipts={sum(args.sizes)} unanswered={failed} "
        + " ".join(f"n{r['n']}_p95={r['e2e_p95']:.2f}" for r in rows)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
