# Who may do what. Every function runs as its own service account, granted only what it
# needs on the bucket, topic or secret itself (tables in locals.tf), never on the project.

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

# Cloud Build runs the function builds as this account, not as the default compute account
# (which new projects no longer make an Editor).
resource "google_service_account" "build" {
  account_id   = "${var.name_prefix}-build"
  display_name = "receipt bot function builds"

  depends_on = [google_project_service.service]
}

# The builder role exists only on the project: it lets a build read its source, write logs
# and push the image to Artifact Registry. It belongs to the build account, not to a function.
resource "google_project_iam_member" "build" {
  #checkov:skip=CKV_GCP_49:Cloud Build's builder role is the documented role of a custom function build account; only the build account holds it, never a function.
  project = var.project_id
  role    = "roles/cloudbuild.builds.builder"
  member  = google_service_account.build.member
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

# Vertex AI mode only: Vertex AI has no per-model IAM, so the one role it needs is granted on
# the project, to the extract function alone.
resource "google_project_iam_member" "extract_vertex_ai" {
  count = local.gemini_uses_agent ? 1 : 0

  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = google_service_account.function["extract"].member
}

# Only the push invoker may call the event functions.
resource "google_cloud_run_v2_service_iam_member" "push_invoker" {
  for_each = local.push_functions

  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.push_invoker.member
}

# The webhook is the only public function: Telegram cannot sign its requests. The function
# checks the X-Telegram-Bot-Api-Secret-Token header on every request instead.
resource "google_cloud_run_v2_service_iam_member" "public" {
  for_each = { for name, fn in local.functions : name => fn if fn.public }

  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

locals {
  # Google's Pub/Sub service agent (it exists once the Pub/Sub API is on).
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# The service agent moves a message to its dead-letter topic: it publishes there ...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.dead_letter_topics

  topic  = google_pubsub_topic.topic[each.key].name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent

  depends_on = [google_project_service.service]
}

# ... and acknowledges the original on the subscription it came from.
resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each = local.dead_lettering_subscriptions

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
