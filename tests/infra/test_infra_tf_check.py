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
    } | {
        f"main.tf: {name}: no `labels` (every resource that takes labels gets the module's labels)"
        for name in (
            "google_storage_bucket.typo",
            "google_pubsub_subscription.no_topic",
            "google_storage_bucket.block_as_argument",
        )
    }, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "google provider schema 8.7.0: schema_errors=11"
    assert done.returncode == 1


MODULE = Path("modules") / "receipt-bot"
EXAMPLE = Path("examples") / "simple"


def _copy_module(tmp_path: Path) -> Path:
    """infra/terraform (module and example) and infra/pipeline.json, side by side as in the repo."""
    shutil.copy(TF_DIR.parent / "pipeline.json", tmp_path / "pipeline.json")
    return Path(shutil.copytree(TF_DIR, tmp_path / "terraform", ignore=shutil.ignore_patterns(".terraform*")))


def _edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, f"{path.name} no longer has {old!r}: update this test"
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def test_a_wrong_pipeline_fails_the_modules_validation_naming_the_field(run_infra, tmp_path: Path) -> None:
    """What `terraform plan` would print: the module's own validation of infra/pipeline.json."""
    module = _copy_module(tmp_path)
    pipeline = json.loads((tmp_path / "pipeline.json").read_text())
    defaults = pipeline["subscription_defaults"]
    defaults |= {"max_delivery_attempts": 3, "max_backoff_seconds": 900, "message_retention_seconds": 60}
    pipeline["functions"]["extract"]["timeout_seconds"] = 590  # + 30 s margin > Pub/Sub's 600 s
    pipeline["functions"]["deadletter"]["cpu"] = "0.5"  # with concurrency 20
    pipeline["topics"]["receipts-uploaded"]["dead_letter_topic"] = "nowhere"
    (tmp_path / "pipeline.json").write_text(json.dumps(pipeline))
    done = run_infra("tf.wiring", str(module))
    for message in (
        "subscription_defaults.max_delivery_attempts must be a whole number from 5 to 100"
        " (Pub/Sub's range), not 3",
        "subscription_defaults.max_backoff_seconds must be at most 600",
        "subscription_defaults.message_retention_seconds must be from 600",
        "functions.extract.timeout_seconds + subscription_defaults.ack_deadline_margin_seconds"
        " must be at most 600",
        "functions.deadletter.max_instance_request_concurrency above 1 needs cpu of at least 1",
        "topics.receipts-uploaded.dead_letter_topic must be a topic of pipeline.json",
    ):
        assert f"infra/pipeline.json: {message}" in done.stdout, message + "\n---\n" + done.stdout
    assert done.stdout.startswith("examples/simple: Invalid value for variable")
    assert done.returncode == 1


EXTRA_TF = """
resource "google_project_iam_member" "webhook_admin" {
  project = var.project_id
  role    = "roles/storage.admin"
  member  = google_service_account.function["webhook"].member
}

resource "google_project_iam_member" "build_everything" {
  project = var.project_id
  role    = "roles/cloudbuild.builds.builder"
  member  = google_service_account.build.member
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
  name   = "stray"
  labels = local.labels
}

resource "google_pubsub_subscription" "second" {
  name   = "second"
  topic  = google_pubsub_topic.topic["receipts-preprocessed"].id
  labels = local.labels
}

resource "google_monitoring_alert_policy" "unheard" {
  display_name = "nobody gets this"
  combiner     = "OR"
  user_labels  = local.labels
  conditions {
    display_name = "x"
  }
}
"""


def test_wiring_check_catches_broken_wiring(run_infra, tmp_path: Path) -> None:
    module = _copy_module(tmp_path) / MODULE
    pubsub = (module / "pubsub.tf").read_text()
    retry = pubsub[pubsub.index("  retry_policy {") : pubsub.index('  dynamic "dead_letter_policy"')]
    expiry = pubsub[pubsub.index("  # A quiet bot") : pubsub.index("  # The first push")]
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
            'preprocess = { sources = "roles/storage.objectViewer", raw = "roles/storage.objectViewer",',
        ),
        (
            'TOPIC_UPLOADED     = local.topics["receipts-uploaded"]',
            'TOPIC_UPLOAD       = local.topics["receipts-uploaded"]',
        ),
        (
            'LOG_EXECUTION_ID     = "true"',
            'LOG_EXECUTION_ID     = "true"\n      GEMINI_API_KEY       = "in plain sight"',
        ),
        ('deadletter = { TELEGRAM_BOT_TOKEN = "telegram-bot-token" }', "deadletter = {}"),
        ('expire = [{ prefixes = ["raw/"]', 'expire = [{ prefixes = ["photos/"]'),
        (
            'firestore_users = toset(["webhook", "preprocess", "extract", "export", "deadletter"])',
            'firestore_users = toset(["webhook", "preprocess", "extract", "deadletter"])',
        ),
        (
            "|| resource.name.startsWith(",
            r"|| resource.name.startsWith(\"projects/\") || resource.name.startsWith(",
        ),
    )
    _edit(
        module / "functions.tf",
        ('each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"', '"ALLOW_ALL"'),
        (
            "timeout_seconds                  = each.value.timeout_seconds",
            "timeout_seconds                  = 30",
        ),
        ("google_service_account.function[each.key].email", "google_service_account.build.email"),
        ("version    = var.secret_versions[secret_environment_variables.value]", 'version    = "latest"'),
    )
    _edit(module / "firestore.tf", ('"POINT_IN_TIME_RECOVERY_ENABLED"', '"POINT_IN_TIME_RECOVERY_DISABLED"'))
    _edit(module / "firestore.tf", ('chat_user_month = ["chat_id", "user_id", "month"]', ""))
    _edit(
        module / ".." / ".." / EXAMPLE / "terraform.tfvars.example",
        ('"you@your-domain.invalid"', '"ops@example.com"'),
    )
    (module / "extra.tf").write_text(EXTRA_TF)
    done = run_infra("tf.wiring", str(module.parent.parent))
    errors = set(done.stdout.strip().splitlines())
    expected = {
        # grants: project roles beyond the documented ones, Firestore beyond its database
        "[api_key] webhook: unexpected grant roles/storage.admin on the project",
        "[vertex_ai] webhook: unexpected grant roles/storage.admin on the project",
        "[api_key] build: unexpected grant roles/cloudbuild.builds.builder on the project",
        "[api_key] public: unexpected grant roles/run.invoker on function extract",
        "[api_key] preprocess: unexpected grant roles/storage.objectViewer on bucket sources",
        "[api_key] deadletter: no grant roles/secretmanager.secretAccessor on secret telegram-bot-token",
        "[api_key] export: no grant " + FIRESTORE_GRANT,
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
        "function webhook: variables that are not settings of receiptbot/config.py is ['TOPIC_UPLOAD'],"
        " expected []",
        "function preprocess: secrets in the plain environment is ['GEMINI_API_KEY'], expected []",
        "function deadletter: TELEGRAM_BOT_TOKEN from Secret Manager is False, expected True",
        "function webhook: secret versions not pinned is ['TELEGRAM_BOT_TOKEN=latest',"
        " 'TELEGRAM_WEBHOOK_SECRET=latest'], expected []",
        # data, alerts, and the example a deployer copies
        "bucket raw: deletes raw/ photos is False, expected True",
        "firestore: no receipts indexes ('chat_id', 'user_id', 'month')",
        "firestore: databases is [{'name': 'receipt-bot', 'type': 'FIRESTORE_NATIVE',"
        " 'point-in-time recovery': False}], expected [{'name': 'receipt-bot', 'type': 'FIRESTORE_NATIVE',"
        " 'point-in-time recovery': True}]",
        "alerts: policies without a notification channel is ['unheard'], expected []",
    }
    assert expected <= errors, "\n".join(sorted(expected - errors)) + "\n---\n" + done.stdout + done.stderr
    assert any(
        line.startswith("[api_key] webhook: unexpected grant roles/datastore.user on the project if")
        for line in errors
    ), done.stdout
    assert any(
        line.startswith("examples/simple: Invalid value for variable: ")
        and "alert_email must be a real" in line
        for line in errors
    ), done.stdout
    assert done.returncode == 1


FIRESTORE_GRANT = (
    'roles/datastore.user on the project if resource.name == "projects/example-project/databases/receipt-bot"'
    ' || resource.name.startsWith("projects/example-project/databases/receipt-bot/")'
)


def test_readme_tables_are_generated_and_replace_advice_fails(run_infra, tmp_path: Path) -> None:
    tf_dir = _copy_module(tmp_path)
    assert run_infra("tf.docs", "--dir", str(tf_dir)).stdout.strip() == "docs_errors=0"
    _edit(tf_dir / MODULE / "variables.tf", ('default     = "receipt-bot"', 'default     = "records"'))
    _edit(
        tf_dir / "README.md",
        ("### Rotating a secret (in place)", "### Rotating a secret\n\nRun `terraform apply -replace=...`."),
    )
    done = run_infra("tf.docs", "--dir", str(tf_dir))
    lines = done.stdout.strip().splitlines()
    assert "README.md: the Inputs/Outputs tables are out of date: run `make tf-docs`" in lines
    assert any("`-replace` of a function drops its invoker bindings" in line for line in lines), lines
    assert lines[-1] == "docs_errors=2" and done.returncode == 1
    run_infra("tf.docs", "--dir", str(tf_dir), "--write")
    assert "| `firestore_database_id` | `string` | `records` |" in (tf_dir / "README.md").read_text()


def test_tf_check_counts_checkov_failures_and_skips_without_reason(run_infra, tmp_path: Path) -> None:
    """Uniform bucket-level access and public access prevention are checkov's (CKV_GCP_29, CKV_GCP_114)."""
    tf_dir = _copy_module(tmp_path)
    storage = (tf_dir / MODULE / "storage.tf").read_text()
    reasoned = storage.splitlines()[1]
    assert reasoned.strip().startswith("#checkov:skip=CKV_GCP_62:")
    sources = storage[storage.index('resource "google_storage_bucket" "sources"') :]
    opened = sources.replace("uniform_bucket_level_access = true", "uniform_bucket_level_access = false")
    opened = opened.replace(
        'public_access_prevention    = "enforced"', 'public_access_prevention    = "inherited"'
    )
    _edit(tf_dir / MODULE / "storage.tf", (reasoned, "  #checkov:skip=CKV_GCP_62"), (sources, opened))
    checkov = str(REPO / ".venv-checkov" / "bin" / "checkov")
    done = run_infra("tf.check", "--dir", str(tf_dir), "--checkov", checkov)
    lines = done.stdout.strip().splitlines()
    assert "modules/receipt-bot/storage.tf:2: checkov skip CKV_GCP_62 without a reason" in lines
    assert any(
        line.startswith("checkov CKV_GCP_29 ") and "google_storage_bucket.sources " in line for line in lines
    ), lines
    assert any(
        line.startswith("checkov CKV_GCP_114 ") and "google_storage_bucket.sources " in line for line in lines
    ), lines
    assert lines[-1] == "tf-check fmt=ok checkov_failed=3 schema_errors=0 wiring_errors=0"
    assert done.returncode == 1
