resource "google_storage_bucket" "bucket" {
  #checkov:skip=CKV_GCP_62:Access is recorded by Cloud Audit Logs; legacy usage logs would need one more bucket (itself unlogged) and cost for no reader.
  #checkov:skip=CKV_GCP_78:Versioning is on for results (local.buckets.results.versioning); raw photos and work objects are short-lived by design and deleted for privacy.
  for_each = local.buckets

  name                        = each.value.name
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = each.value.versioning
  }

  soft_delete_policy {
    retention_duration_seconds = each.value.soft_delete_seconds
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

  # Old versions of results are removed once they have been replaced for a while.
  dynamic "lifecycle_rule" {
    for_each = each.value.versioning ? [var.results_noncurrent_days] : []
    content {
      condition {
        days_since_noncurrent_time = lifecycle_rule.value
        with_state                 = "ARCHIVED"
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
  #checkov:skip=CKV_GCP_62:Access is recorded by Cloud Audit Logs; only Terraform and Cloud Build read this bucket.
  #checkov:skip=CKV_GCP_78:Objects are named by content hash and never overwritten, so there is nothing for versioning to protect.
  name                        = "${var.project_id}-${var.name_prefix}-sources"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  depends_on = [google_project_service.service]
}
