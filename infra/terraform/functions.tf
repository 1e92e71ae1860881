# Cloud Functions (2nd gen), one per entry of infra/pipeline.json's "functions".

# `make build` writes build/<function>/: its main.py and requirements.txt plus the shared
# receiptbot/ package. The zip's hash names the object, so a changed bundle is a new object
# (and a new deployment) and an unchanged one deploys nothing.
locals {
  repo = "${path.module}/../.."
  # What each bundle must hold, by path in the bundle, and where it comes from.
  bundle_sources = {
    for name, _ in local.functions : name => merge(
      { for f in fileset("${local.repo}/functions/${name}", "*") : f => "${local.repo}/functions/${name}/${f}" },
      { for f in fileset("${local.repo}/receiptbot", "*.py") : "receiptbot/${f}" => "${local.repo}/receiptbot/${f}" },
    )
  }
  # Bundle files missing or different from their source: code changed since the last `make build`.
  stale_bundle_files = {
    for name, files in local.bundle_sources : name => sort([
      for target, source in files : target
      if try(filesha256("${local.repo}/build/${name}/${target}"), "") != filesha256(source)
    ])
  }
}

data "archive_file" "source" {
  for_each = local.functions

  type        = "zip"
  source_dir  = "${local.repo}/build/${each.key}"
  output_path = "${local.repo}/build/${each.key}.zip"

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

resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:Only the webhook (trigger "http") is ALLOW_ALL, as Telegram calls it from the internet; the event functions are ALLOW_INTERNAL_ONLY.
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = "receipt bot: ${each.key}"

  build_config {
    runtime         = var.python_runtime
    entry_point     = each.value.entry_point
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function[each.key].email
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout_seconds
    min_instance_count               = 0
    max_instance_count               = each.value.max_instance_count
    max_instance_request_concurrency = each.value.max_instance_request_concurrency
    all_traffic_on_latest_revision   = true
    # Only the webhook takes traffic from the internet (Telegram). Pub/Sub push counts as
    # internal traffic, so the event functions accept nothing else.
    ingress_settings      = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    environment_variables = local.environment[each.key]

    dynamic "secret_environment_variables" {
      for_each = local.function_secrets[each.key]
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      # Cloud Run serves more than one request at a time only with a whole vCPU.
      condition     = tonumber(each.value.cpu) >= 1 || each.value.max_instance_request_concurrency == 1
      error_message = "${each.key}: max_instance_request_concurrency above 1 needs cpu of at least 1 (infra/pipeline.json)."
    }
  }

  # A function starts only when it can read its secrets.
  depends_on = [google_secret_manager_secret_iam_member.function, google_project_iam_member.build]
}
