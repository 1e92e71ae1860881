# Secret containers only. Their values (versions) are added out of band with gcloud, so they
# never appear in code, in tfvars or in the Terraform state; var.secret_versions names the
# version each function reads (README.md).
resource "google_secret_manager_secret" "secret" {
  for_each = local.secrets

  secret_id = "${var.name_prefix}-${each.key}"
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.service]
}
