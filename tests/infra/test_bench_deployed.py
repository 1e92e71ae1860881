"""`make bench-deployed`: its refusals and dry run, its names from Terraform, and a whole run of the
same script on the local stack (the emulators' hosts in place of the cloud's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from google.cloud import firestore, storage

from devstack.stack import BUCKETS, PROJECT, LocalStack, StackConfig

REPO = Path(__file__).resolve().parents[2]
CHAT = 424242
NAMES = ["--raw-bucket", "p-rb-raw", "--topic", "rb-receipts-uploaded", "--database", "rb-records"]


def _bench(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "tools.bench_deployed", *args]
    return subprocess.run(
        argv,
        cwd=REPO,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_refuses_to_run_without_yes_and_says_what_it_costs() -> None:
    done = _bench("--project", "p", "--chat-id", str(CHAT), "--sizes", "1,5", *NAMES)
    assert done.returncode == 2
    assert "6 Gemini requests" in done.stdout and f"6 cards the bot posts in chat {CHAT}" in done.stdout
    assert "add --yes" in done.stderr


def test_dry_run_touches_nothing() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_EMULATOR_HOST")}
    done = _bench("--project", "p", "--chat-id", str(CHAT), *NAMES, "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert "project p: 26 receipts (1 + 5 + 20)" in done.stdout
    assert (
        "dry run: would publish to rb-receipts-uploaded and wait in rb-records; nothing was sent"
        in done.stdout
    )


def test_argument_checks() -> None:
    no_project = {k: v for k, v in os.environ.items() if k not in ("GOOGLE_CLOUD_PROJECT", "GCP_PROJECT")}
    for args, message in (
        (["--chat-id", "1", *NAMES], "--project is required"),
        (["--project", "p", *NAMES], "arguments are required: --chat-id"),
        (
            ["--project", "p", "--chat-id", "1", "--sizes", "0,5", *NAMES],
            "sizes must be whole numbers from 1",
        ),
        (
            ["--project", "p", "--chat-id", "1", "--sizes", "500", *NAMES],
            "sizes must be whole numbers from 1",
        ),
    ):
        done = _bench(*args, env=no_project)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)


def test_takes_the_deployments_names_from_terraform(tmp_path: Path) -> None:
    outputs = {
        "raw_bucket": {"value": "p-rb-raw"},
        "topics": {"value": {"receipts-uploaded": "rb-receipts-uploaded"}},
        "firestore_database": {"value": "receipt-bot"},
    }
    fake = tmp_path / "terraform"  # answers `terraform output -json` as a deployment would
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(outputs)}\nEOF\n")
    fake.chmod(0o755)
    env = dict(os.environ) | {"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    done = _bench("--project", "p", "--chat-id", "7", "--sizes", "2", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert "2 photos in gs://p-rb-raw and records in Firestore database receipt-bot" in done.stdout
    assert "would publish to rb-receipts-uploaded" in done.stdout


def test_runs_against_the_local_stack_and_prints_the_bench_table(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalStack(StackConfig(engine="gemini")) as stack:
        env = dict(os.environ) | stack.emulator_env
        done = _bench(
            *("--project", PROJECT, "--chat-id", str(CHAT), "--sizes", "1,3", "--timeout", "90"),
            *(
                "--raw-bucket",
                BUCKETS["RAW_BUCKET"],
                "--topic",
                "receipts-uploaded",
                "--database",
                "(default)",
            ),
            "--yes",
            env=env,
            timeout=400,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        print(done.stdout)  # the table, as `make bench-deployed` prints it (pytest -s shows it)
        lines = done.stdout.splitlines()
        header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["N", "receipts", "e2e"])
        assert [lines[header + 1].split()[:2], lines[header + 2].split()[:2]] == [["1", "1"], ["3", "3"]]
        assert "instances N=1: not measured on the local stack" in done.stdout
        assert lines[-1].startswith("bench-deployed receipts=4 unanswered=0 n1_p95=")
        # Its records and photos are gone again: the test chat's totals are as they were.
        for name, value in stack.emulator_env.items():
            monkeypatch.setenv(name, value)
        records = firestore.Client(project=PROJECT).collection("receipts")
        assert not [d for d in records.stream() if d.id.startswith(f"{CHAT}_")]
        photos = storage.Client(project=PROJECT).list_blobs(BUCKETS["RAW_BUCKET"], prefix=f"raw/{CHAT}_")
        assert not list(photos)
