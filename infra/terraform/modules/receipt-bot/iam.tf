# Who may do what. Every function runs as its own service account, granted only what it
# needs on the bucket, topic, secret or database itself (tables in locals.tf).

resource "google_service_account" "function" {
  for_each = local.functions

  account_id   = each.value.name
  display_name = "receipt bot ${each.key} function"

  depends_on = [google_project_service.service]
}

# Pub/Sub signs its pushes to the event functions with this identity (OIDC).
resource "google_service_account" "push_invoker" {
  account_id   = "${var.name_prefix}-push-invoker"
  display_name = "receipt bot Pub/Sub push invoker"

  depends_on = [google_project_service.service]
}

# Cloud Build runs the function builds as this account. It runs third-party `pip install`, so
# it reaches only what a build needs: its logs, the sources bucket and the image repository.
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-build"
  display_name = "receipt bot function builds"

  depends_on = [google_project_service.service]
}

# Log writing exists only on the project (it reaches no data).
resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "build_sources" {
  bucket = google_storage_bucket.sources.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

resource "google_artifact_registry_repository_iam_member" "build" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "function" {
  for_each = local.bucket_grants

  bucket = google_storage_bucket.bucket[each.value.bucket].name
  role   = each.value.role
  member = google_service_account.function[each.value.function].member
}

resource "google_pubsub_topic_iam_member" "function" {
  for_each = local.topic_grants

  topic  = google_pubsub_topic.topic[each.value.topic].name
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.value.function].member
}

resource "google_secret_manager_secret_iam_member" "function" {
  for_each = local.secret_grants

  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}

# Firestore has no per-database IAM resource: the role is granted on the project with a
# condition that limits it to this database and its documents.
resource "google_project_iam_member" "firestore" {
  for_each = local.firestore_users

  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.function[each.key].member

  condition {
    title       = "${var.name_prefix}-records-only"
    description = "Only the receipt bot's Firestore database ${var.firestore_database_id}."
    expression  = local.firestore_condition
  }
}

# Vertex AI mode only: Vertex AI has no per-model IAM, so the one role it needs is granted on
# the project, to the extract function alone.
resource "google_project_iam_member" "extract_vertex_ai" {
  count = local.gemini_uses_agent ? 1 : 0

  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = google_service_account.function["extract"].member
}

# Only the push invoker may call the event functions. Replacing a function recreates its Cloud
# Run service without these bindings: replace_triggered_by recreates them in the same apply.
resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.push_functions

  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.push_invoker.member

  lifecycle {
    replace_triggered_by = [google_cloudfunctions2_function.function[each.key].id]
  }
}

# The webhook is the only public function: Telegram cannot sign its requests. The function
# checks the X-Telegram-Bot-Api-Secret-Token header on every request instead.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = var.webhook_access == "all_users" ? { for name, fn in local.functions : name => fn if fn.public } : {}

  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"

  lifecycle {
    replace_triggered_by = [google_cloudfunctions2_function.function[each.key].id]
  }
}

# Where domain-restricted sharing refuses allUsers: Cloud Run's documented alternative is to
# turn the invoker check off on the service. The Cloud Functions API cannot set it, so gcloud
# does, after every change of the function (a deploy may bring the setting back).
resource "terraform_data" "webhook_invoker_check_disabled" {
  for_each = var.webhook_access == "invoker_iam_check_disabled" ? { for name, fn in local.functions : name => fn if fn.public } : {}

  triggers_replace = [google_cloudfunctions2_function.function[each.key].update_time]

  provisioner "local-exec" {
    command = "gcloud run services update ${google_cloudfunctions2_function.function[each.key].name} --region=${var.region} --project=${var.project_id} --no-invoker-iam-check --quiet"
  }
}

locals {
  # Google's Pub/Sub service agent (created in services.tf).
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# The service agent moves a message to its dead-letter topic: it publishes there ...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.dead_letter_topics

  topic  = google_pubsub_topic.topic[each.key].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent

  depends_on = [terraform_data.pubsub_service_agent]
}

# ... and acknowledges the original on the subscription it came from.
resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.dead_lettering_subscriptions

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent

  depends_on = [terraform_data.pubsub_service_agent]
}
