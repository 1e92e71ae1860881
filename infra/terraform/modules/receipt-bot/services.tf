resource "google_project_service" "service" {
  for_each = local.services
  service  = each.value

  # Turning an API off on destroy could break other workloads in the same project.
  disable_on_destroy = false
}

# The project number names the Pub/Sub service agent (it forwards dead letters). Read at plan
# time, so Cloud Resource Manager must be on before the first plan (README.md, step 1).
data "google_project" "this" {
  project_id = var.project_id
}

# The Pub/Sub service agent is created lazily, some time after the API is enabled; the
# dead-letter grants to it fail until it exists. Creating it explicitly makes the first apply
# deterministic. (google_project_service_identity does this but exists only in google-beta.)
resource "terraform_data" "pubsub_service_agent" {
  triggers_replace = [var.project_id]

  provisioner "local-exec" {
    command = "gcloud beta services identity create --service=pubsub.googleapis.com --project=${var.project_id} --quiet"
  }

  depends_on = [google_project_service.service]
}

# Grants to a new principal take up to a minute to be seen everywhere: the provider's own
# Cloud Functions examples wait this long between the build account's grants and the first build.
resource "time_sleep" "iam_propagation" {
  create_duration = "60s"

  depends_on = [
    google_project_iam_member.build_logs,
    google_artifact_registry_repository_iam_member.build,
    google_storage_bucket_iam_member.build_sources,
    google_secret_manager_secret_iam_member.function,
    terraform_data.pubsub_service_agent,
  ]
}
