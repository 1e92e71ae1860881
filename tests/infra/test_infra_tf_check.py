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
    done = run_infra("tf.schema", str(tmp_path))
    errors = set(done.stdout.strip().splitlines()[:-1])
    assert errors == {
        "main.tf: google_storage_bucket.typo: unknown argument `nmae`",
        "main.tf: google_storage_bucket.typo: missing required argument `name`",
        "main.tf: google_pubsub_subscription.no_topic: missing required argument `topic`",
        "main.tf: google_pubsub_subscription.no_topic.retry_policy: unknown argument `minimum_backof`",
        "main.tf: google_storage_bukket.unknown: unknown resource type `google_storage_bukket` in google 8.7.0",  # noqa: E501
        "main.tf: google_storage_bucket.block_as_argument: `versioning` is a block, not an argument",
        "main.tf: google_storage_bucket.block_as_argument: `labels` is an argument, not a block",
        "main.tf: terraform: google version '~> 7.0' is not '~> 8.7', the schema checked",
    }, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "google provider schema 8.7.0: schema_errors=8"
    assert done.returncode == 1


def _copy_module(tmp_path: Path) -> Path:
    """infra/terraform and infra/pipeline.json, side by side as in the repo."""
    shutil.copy(TF_DIR.parent / "pipeline.json", tmp_path / "pipeline.json")
    return Path(shutil.copytree(TF_DIR, tmp_path / "terraform", ignore=shutil.ignore_patterns(".terraform*")))


def _edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{path.name} no longer has {old!r}: update this test"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def test_wiring_check_catches_an_inconsistent_pipeline(run_infra, tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    pipeline = json.loads((tmp_path / "pipeline.json").read_text())
    pipeline["functions"]["extract"]["timeout_seconds"] = 590  # + 30 s margin > Pub/Sub's 600 s
    pipeline["functions"]["deadletter"]["cpu"] = "0.5"  # with concurrency 20
    pipeline["topics"]["receipts-uploaded"]["dead_letter_topic"] = "nowhere"
    (tmp_path / "pipeline.json").write_text(json.dumps(pipeline))
    done = run_infra("tf.wiring", str(module))
    assert done.stdout.strip().splitlines() == [
        "pipeline.json: dead-letter topic nowhere of receipts-uploaded has no subscriber",
        "pipeline.json: extract's timeout + margin exceeds 600 s",
        "pipeline.json: deadletter has concurrency > 1 with cpu < 1, which Cloud Run refuses",
        "wiring_errors=3",
    ], done.stdout
    assert done.returncode == 1


EXTRA_TF = """
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

resource "google_pubsub_topic_iam_binding" "authoritative" {
  topic   = google_pubsub_topic.topic["receipts-uploaded"].name
  role    = "roles/pubsub.viewer"
  members = ["user:someone@example.com"]
}

resource "google_pubsub_topic" "stray" {
  name = "stray"
}

resource "google_pubsub_subscription" "second" {
  name  = "second"
  topic = google_pubsub_topic.topic["receipts-preprocessed"].id
}
"""


def test_wiring_check_catches_broken_wiring(run_infra, tmp_path: Path) -> None:
    module = _copy_module(tmp_path)
    pubsub = (module / "pubsub.tf").read_text()
    retry = pubsub[pubsub.index("  retry_policy {") : pubsub.index('  dynamic "dead_letter_policy"')]
    expiry = pubsub[pubsub.index("  # A quiet bot") : pubsub.index("  depends_on = [google_cloud_run")]
    _edit(
        module / "pubsub.tf",
        (retry, ""),
        (expiry, ""),
        (
            "function[each.value.subscriber].service_config[0].uri}/projects",
            'function["extract"].service_config[0].uri}/projects',
        ),
        (
            "service_account_email = google_service_account.push_invoker.email",
            "service_account_email = google_service_account.build.email",
        ),
        ("topic[dead_letter_policy.value].id", "topic[each.key].id"),
        ("ack_deadline_seconds       = each.value.ack_deadline_seconds", "ack_deadline_seconds       = 30"),
    )
    _edit(
        module / "locals.tf",
        (
            'preprocess = { raw = "roles/storage.objectViewer",',
            'preprocess = { results = "roles/storage.objectViewer", raw = "roles/storage.objectViewer",',
        ),
        (
            'TOPIC_UPLOADED   = local.topics["receipts-uploaded"]',
            'TOPIC_UPLOAD     = local.topics["receipts-uploaded"]',
        ),
        (
            'LOG_EXECUTION_ID     = "true"',
            'LOG_EXECUTION_ID     = "true"\n      GEMINI_API_KEY       = "in plain sight"',
        ),
        ('deadletter = { TELEGRAM_BOT_TOKEN = "telegram-bot-token" }', "deadletter = {}"),
        ('expire              = [{ prefixes = ["raw/"]', 'expire              = [{ prefixes = ["photos/"]'),
        ("versioning          = true", "versioning          = false"),
    )
    _edit(
        module / "functions.tf",
        ('each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"', '"ALLOW_ALL"'),
        (
            "timeout_seconds                  = each.value.timeout_seconds",
            "timeout_seconds                  = 30",
        ),
        ("google_service_account.function[each.key].email", "google_service_account.build.email"),
    )
    _edit(module / "terraform.tfvars.example", ('"receiptbot"', '"Receipt_Bot"'))
    (module / "extra.tf").write_text(EXTRA_TF)
    done = run_infra("tf.wiring", str(module))
    errors = set(done.stdout.strip().splitlines())
    expected = {
        # grants
        "[api_key] webhook: unexpected grant roles/storage.admin on the project",
        "[vertex_ai] webhook: unexpected grant roles/storage.admin on the project",
        "[api_key] public: unexpected grant roles/run.invoker on function extract",
        "[api_key] preprocess: unexpected grant roles/storage.objectViewer on bucket results",
        "[api_key] deadletter: no grant roles/secretmanager.secretAccessor on secret telegram-bot-token",
        "google_pubsub_topic_iam_binding.authoritative: an IAM resource this check does not know"
        " (_iam_binding/_iam_policy remove grants made elsewhere)",
        # topics and subscriptions
        "topic stray: built, but not in pipeline.json or the tables",
        "topic receipts-preprocessed: subscriptions is 2, expected 1",
        "topic receipts-uploaded: push endpoint's function is ['extract'], expected ['preprocess']",
        "topic receipts-uploaded: OIDC token's account is ['build'], expected ['push_invoker']",
        "topic receipts-uploaded: retry backoff is [None, None], expected ['10s', '300s']",
        "topic receipts-uploaded: ack deadline is 30, expected 90",
        "topic receipts-uploaded: idle expiry is None, expected ''",
        "topic receipts-uploaded: dead-letter topic is ['receipts-uploaded'], expected"
        " ['receipts-uploaded-dead-letter']",
        # functions
        "function extract: ingress is 'ALLOW_ALL', expected 'ALLOW_INTERNAL_ONLY'",
        "function webhook: timeout is 30, expected 60",
        "function webhook: service account is ['build'], expected ['webhook']",
        "function webhook: settings missing from the environment is ['TOPIC_UPLOADED'], expected []",
        "function preprocess: secrets in the plain environment is ['GEMINI_API_KEY'], expected []",
        "function deadletter: TELEGRAM_BOT_TOKEN from Secret Manager is False, expected True",
        # buckets, and the example a deployer copies
        "bucket results: versioned is False, expected True",
        "bucket raw: deletes raw/ photos is False, expected True",
    }
    assert expected <= errors, "\n".join(sorted(expected - errors)) + "\n---\n" + done.stdout
    assert any(
        line.startswith("terraform.tfvars.example is not accepted: Error: Invalid value for variable")
        for line in errors
    )
    assert done.returncode == 1


def test_tf_check_counts_checkov_failures_and_skips_without_reason(run_infra, tmp_path: Path) -> None:
    """Uniform bucket-level access and public access prevention are checkov's (CKV_GCP_29, CKV_GCP_114)."""
    module = _copy_module(tmp_path)
    storage = (module / "storage.tf").read_text()
    reasoned = storage.splitlines()[1]
    assert reasoned.strip().startswith("#checkov:skip=CKV_GCP_62:")
    sources = storage[storage.index('resource "google_storage_bucket" "sources"') :]
    opened = sources.replace("uniform_bucket_level_access = true", "uniform_bucket_level_access = false")
    opened = opened.replace(
        'public_access_prevention    = "enforced"', 'public_access_prevention    = "inherited"'
    )
    _edit(module / "storage.tf", (reasoned, "  #checkov:skip=CKV_GCP_62"), (sources, opened))
    checkov = str(REPO / ".venv-checkov" / "bin" / "checkov")
    done = run_infra("tf.check", "--dir", str(module), "--checkov", checkov)
    lines = done.stdout.strip().splitlines()
    assert "storage.tf:2: checkov skip CKV_GCP_62 without a reason" in lines
    assert any(line.startswith("checkov CKV_GCP_29 google_storage_bucket.sources") for line in lines), lines
    assert any(line.startswith("checkov CKV_GCP_114 google_storage_bucket.sources") for line in lines), lines
    assert lines[-1] == "tf-check fmt=ok checkov_failed=3 schema_errors=0 wiring_errors=0"
    assert done.returncode == 1
