resource "google_storage_bucket" "bucket" {
  #checkov:skip=CKV_GCP_62:Usage logs would need one more bucket (itself unlogged) and cost for no reader; enable Data Access audit logs for storage.googleapis.com if object reads must be recorded.
  #checkov:skip=CKV_GCP_78:Photos and work objects are short-lived by design and deleted for privacy; versioning would keep what /delete and the lifecycle rules erase.
  for_each = local.buckets

  name                        = each.value.name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  versioning {
    enabled = false
  }

  # No soft delete: a deleted photo is gone.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.expire
    content {
      condition {
        age            = lifecycle_rule.value.days
        matches_prefix = lifecycle_rule.value.prefixes
      }
      action {
        type = "Delete"
      }
    }
  }

  depends_on = [google_project_service.service]
}

# Function source bundles, one object per content hash (see functions.tf).
resource "google_storage_bucket" "sources" {
  #checkov:skip=CKV_GCP_62:Usage logs would need one more bucket (itself unlogged); only Terraform and Cloud Build read this bucket.
  #checkov:skip=CKV_GCP_78:Objects are named by content hash and never overwritten, so there is nothing for versioning to protect.
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.service]
}
