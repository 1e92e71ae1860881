# Secret containers only. Their values (versions) are added out of band with gcloud, so they
# never appear in code, in tfvars or in the Terraform state (see README.md).
resource "google_secret_manager_secret" "secret" {
  #checkov:skip=CKV_GCP_84:Google-managed encryption; a customer-managed key would add a KMS key ring and its cost for three small secrets.
  for_each = local.secrets

  secret_id = "${var.name_prefix}-${each.key}"

  replication {
    auto {}
  }

  depends_on = [google_project_service.service]
}
