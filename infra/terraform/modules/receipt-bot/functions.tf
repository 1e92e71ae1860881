# Cloud Functions (2nd gen), one per entry of infra/pipeline.json's "functions".

# `make build` writes build/<function>/: its main.py and requirements.txt plus the shared
# receiptbot/ package. The zip's hash names the object, so a changed bundle is a new object
# (and a new deployment) and an unchanged one deploys nothing.
locals {
  # What each bundle must hold, by path in the bundle, and where it comes from.
  bundle_sources = {
    for name, _ in local.functions : name => merge(
      { for f in fileset("${var.repo_root}/functions/${name}", "*") : f => "${var.repo_root}/functions/${name}/${f}" },
      { for f in fileset("${var.repo_root}/receiptbot", "**") : "receiptbot/${f}" => "${var.repo_root}/receiptbot/${f}" if !strcontains(f, "__pycache__") },
    )
  }
  # Bundle files missing or different from their source: code changed since the last `make build`.
  stale_bundle_files = {
    for name, files in local.bundle_sources : name => sort([
      for target, source in files : target
      if try(filesha256("${var.repo_root}/build/${name}/${target}"), "") != filesha256(source)
    ])
  }
}

data "archive_file" "source" {
  for_each = local.functions

  type        = "zip"
  source_dir  = "${var.repo_root}/build/${each.key}"
  output_path = "${var.repo_root}/build/${each.key}.zip"
  # The same bundle zips to the same hash whatever the deployer's umask.
  output_file_mode = "0644"

  lifecycle {
    # Deploying an old build/ would silently ship old code.
    precondition {
      condition     = length(local.stale_bundle_files[each.key]) == 0
      error_message = "build/${each.key}/ is older than the code (${join(", ", local.stale_bundle_files[each.key])}): run `make build` first."
    }
  }
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket = google_storage_bucket.sources.name
  name   = "${each.key}/${data.archive_file.source[each.key].output_sha256}.zip"
  source = data.archive_file.source[each.key].output_path
}

# The functions' images, instead of the implicit gcf-artifacts repository: every deploy adds
# an image, and the cleanup policy keeps only the recent ones.
resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:The images hold the public function code and its pinned open-source dependencies, no data or secrets; Google-managed encryption suffices.
  repository_id = "${var.name_prefix}-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "receipt bot function images (built by Cloud Build)"
  labels        = local.labels

  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = var.images_kept
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "2592000s" # 30 days; the KEEP policy wins for the most recent images
    }
  }

  depends_on = [google_project_service.service]
}

resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:Only the webhook (trigger "http") is ALLOW_ALL, as Telegram calls it from the internet; the event functions are ALLOW_INTERNAL_ONLY.
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = "receipt bot: ${each.key}"
  labels      = local.labels

  build_config {
    runtime           = var.python_runtime
    entry_point       = each.value.entry_point
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }

    # The runtime's security updates are applied at the next deploy (the default, stated).
    automatic_update_policy {}
  }

  service_config {
    service_account_email            = google_service_account.function[each.key].email
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    min_instance_count               = each.value.min_instance_count
    max_instance_count               = each.value.max_instance_count
    max_instance_request_concurrency = each.value.max_instance_request_concurrency
    all_traffic_on_latest_revision   = true
    # Only the webhook takes traffic from the internet (Telegram). Pub/Sub push counts as
    # internal traffic, so the event functions accept nothing else.
    ingress_settings      = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    environment_variables = local.environment[each.key]

    # Pinned versions: a rotation changes a number here, an in-place update (README.md).
    dynamic "secret_environment_variables" {
      for_each = try(local.function_secrets[each.key], {})
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = var.secret_versions[secret_environment_variables.value]
      }
    }
  }

  # Built only once the build account's grants and the functions' secret grants are seen
  # everywhere (services.tf).
  depends_on = [time_sleep.iam_propagation]
}
