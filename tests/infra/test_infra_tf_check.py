"""`make tf-check` passes on the module, and its checks catch what they are meant to catch."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TF_DIR = REPO / "infra" / "terraform"

CLEAN = "tf-check fmt=ok checkov_failed=0 schema_errors=0 wiring_errors=0"


def test_make_tf_check_is_clean() -> None:
    done = subprocess.run(["make", "-s", "tf-check"], cwd=REPO, capture_output=True, text=True, timeout=1800)
    lines = done.stdout.strip().splitlines()
    assert lines and lines[-1] == CLEAN, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0


SNIPPET = """
terraform {
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
  }
}

resource "google_storage_bucket" "typo" {
  nmae     = "a-bucket"
  location = "EU"
}

resource "google_pubsub_subscription" "no_topic" {
  name = "sub"
  retry_policy {
    minimum_backof = "10s"
  }
}

resource "google_storage_bukket" "unknown" {
  name = "x"
}

resource "google_storage_bucket" "block_as_argument" {
  name       = "b"
  location   = "EU"
  versioning = { enabled = true }
  labels {
    a = "b"
  }
}

data "google_project" "fine" {}
"""


def test_schema_check_catches_misspelled_and_missing_required_arguments(run_infra, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(SNIPPET, encoding="utf-8")
    done = run_infra("tf_schema.py", str(tmp_path))
    errors = set(done.stdout.strip().splitlines()[:-1])
    assert errors == {
        "main.tf: google_storage_bucket.typo: unknown argument `nmae`",
        "main.tf: google_storage_bucket.typo: missing required argument `name`",
        "main.tf: google_pubsub_subscription.no_topic: missing required argument `topic`",
        "main.tf: google_pubsub_subscription.no_topic.retry_policy: unknown argument `minimum_backof`",
        "main.tf: google_storage_bukket.unknown: unknown resource type `google_storage_bukket` in google 8.7.0",  # noqa: E501
        "main.tf: google_storage_bucket.block_as_argument: `versioning` is a block, not an argument",
        "main.tf: google_storage_bucket.block_as_argument: `labels` is an argument, not a block",
        "main.tf: terraform: google version '~> 7.0' does not admit 8.7.0, the schema checked",
    }, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "google provider schema 8.7.0: schema_errors=8"
    assert done.returncode == 1


def _copy_module(tmp_path: Path) -> Path:
    """infra/terraform and infra/pipeline.json, side by side as in the repo."""
    shutil.copy(TF_DIR.parent / "pipeline.json", tmp_path / "pipeline.json")
    return Path(shutil.copytree(TF_DIR, tmp_path / "terraform", ignore=shutil.ignore_patterns(".terraform*")))


def test_wiring_check_catches_broken_wiring(run_infra, tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    pipeline = json.loads((tmp_path / "pipeline.json").read_text())
    pipeline["functions"]["extract"]["timeout_seconds"] = 590  # + 30 s margin > Pub/Sub's 600 s
    (tmp_path / "pipeline.json").write_text(json.dumps(pipeline))
    pubsub = (module / "pubsub.tf").read_text()
    retry = pubsub[pubsub.index("  retry_policy {") : pubsub.index('  dynamic "dead_letter_policy"')]
    (module / "pubsub.tf").write_text(pubsub.replace(retry, ""))
    locals_tf = (module / "locals.tf").read_text()
    (module / "locals.tf").write_text(
        locals_tf.replace(
            'preprocess = { raw = "roles/storage.objectViewer",',
            'preprocess = { results = "roles/storage.objectViewer", raw = "roles/storage.objectViewer",',
        )
    )
    functions_tf = (module / "functions.tf").read_text()
    (module / "functions.tf").write_text(
        functions_tf.replace('each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"', '"ALLOW_ALL"')
    )
    example = (module / "terraform.tfvars.example").read_text()
    (module / "terraform.tfvars.example").write_text(example.replace('"receiptbot"', '"Receipt_Bot"'))
    (module / "extra.tf").write_text(
        """
resource "google_project_iam_member" "webhook_admin" {
  project = var.project_id
  role    = "roles/storage.admin"
  member  = google_service_account.function["webhook"].member
}

resource "google_cloud_run_v2_service_iam_member" "extract_public" {
  location = var.region
  name     = google_cloudfunctions2_function.function["extract"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
"""
    )
    done = run_infra("tf_wiring.py", str(module))
    out = done.stdout
    assert done.returncode == 1
    assert "[api_key] function:webhook holds project-level role roles/storage.admin" in out
    assert "[vertex_ai] function:webhook holds project-level role roles/storage.admin" in out
    assert "[api_key] public holds ('function', 'extract', 'roles/run.invoker') beyond its list" in out
    assert (
        "[api_key] function:preprocess holds ('bucket', 'results', 'roles/storage.objectViewer') beyond"
        in out
    )
    assert (
        'google_cloudfunctions2_function.function["extract"]: ingress ALLOW_ALL; only the http function'
        in out
    )
    assert 'google_pubsub_subscription.push["receipts-uploaded"]: no retry_policy' in out
    assert "pipeline.json: extract's timeout + margin exceeds 600 s" in out
    assert "terraform.tfvars.example is not accepted: Error: Invalid value for variable" in out
    assert 'google_pubsub_subscription.push["receipts-preprocessed"]: ack deadline 620 is not between' in out


def test_tf_check_fails_on_a_checkov_skip_without_reason(run_infra, tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    storage = (module / "storage.tf").read_text()
    reasoned = storage.splitlines()[1]
    assert reasoned.strip().startswith("#checkov:skip=CKV_GCP_62:")
    (module / "storage.tf").write_text(storage.replace(reasoned, "  #checkov:skip=CKV_GCP_62", 1))
    checkov = str(REPO / ".venv-checkov" / "bin" / "checkov")
    done = run_infra("tf_check.py", "--dir", str(module), "--checkov", checkov)
    lines = done.stdout.strip().splitlines()
    assert "storage.tf:2: checkov skip CKV_GCP_62 without a reason" in lines
    assert lines[-1] == "tf-check fmt=ok checkov_failed=1 schema_errors=0 wiring_errors=0"
    assert done.returncode == 1
