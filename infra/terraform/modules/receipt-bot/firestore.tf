# The receipt records (receiptbot/cloud/records.py): one Native mode database, its composite
# indexes and the TTL of the fix prompts. Collections: receipts, merchant_categories,
# pending_fixes, chats, albums, and the cost caps' quotas.

resource "google_firestore_database" "records" {
  name        = var.firestore_database_id
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"

  # Reads of any minute of the past 7 days: a bad deploy or a wrong /delete can be undone.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  # Neither the API nor `terraform destroy` deletes the users' records by accident.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "PREVENT"

  depends_on = [google_project_service.service]
}

# The queries that filter on more than one field (records.of_chat): a chat's month, and one
# sender's receipts of a month.
resource "google_firestore_index" "receipts" {
  for_each = {
    chat_month      = ["chat_id", "month"]
    chat_user_month = ["chat_id", "user_id", "month"]
  }

  database    = google_firestore_database.records.name
  collection  = "receipts"
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value
    content {
      field_path = fields.value
      order      = "ASCENDING"
    }
  }
}

# Fix prompts (ForceReply) and albums (receiptbot/cloud/albums.py: which photos share a status
# message) expire: Firestore deletes such a document within about a day of its expires_at. The
# field is never queried, so it is not indexed (a timestamp index would only add write cost).
resource "google_firestore_field" "pending_fix_expiry" {
  database   = google_firestore_database.records.name
  collection = "pending_fixes"
  field      = "expires_at"

  ttl_config {}
  index_config {}
}

resource "google_firestore_field" "album_expiry" {
  database   = google_firestore_database.records.name
  collection = "albums"
  field      = "expires_at"

  ttl_config {}
  index_config {}
}

# The cost caps' counters (receiptbot/bot/ratelimit.py) expire with their day; none is queried,
# so no index is kept on them either (the counts are written on every receipt).
resource "google_firestore_field" "quota_expiry" {
  for_each   = toset(["quotas", "quota_receipts", "quota_notices"])
  database   = google_firestore_database.records.name
  collection = each.key
  field      = "expires_at"

  ttl_config {}
  index_config {}
}

resource "google_firestore_field" "quota_count" {
  database   = google_firestore_database.records.name
  collection = "quotas"
  field      = "count"

  index_config {}
}
