output "webhook_url" {
  description = "The webhook function's URL: `make set-webhook` registers it with Telegram."
  value       = google_cloudfunctions2_function.function["webhook"].service_config[0].uri
}

output "buckets" {
  description = "Bucket names by role: raw (photos), work (intermediate objects), results (answers)."
  value       = { for role, bucket in google_storage_bucket.bucket : role => bucket.name }
}

output "raw_bucket" {
  description = "Uploaded photos (raw/) and dead-lettered receipts (failed/)."
  value       = google_storage_bucket.bucket["raw"].name
}

output "work_bucket" {
  description = "Processed images, claims and rate-limit counters."
  value       = google_storage_bucket.bucket["work"].name
}

output "results_bucket" {
  description = "Extraction results, results/<chat_id>/<receipt_id>.json (versioned)."
  value       = google_storage_bucket.bucket["results"].name
}

output "sources_bucket" {
  description = "Function source bundles, named by content hash."
  value       = google_storage_bucket.sources.name
}

output "topics" {
  description = "Pub/Sub topic names, keyed as in infra/pipeline.json (dead-letter topics included)."
  value       = { for key, topic in google_pubsub_topic.topic : key => topic.name }
}

output "dead_letter_topics" {
  description = "The dead-letter topics' names."
  value       = [for key in local.dead_letter_topics : google_pubsub_topic.topic[key].name]
}

output "subscriptions" {
  description = "Push subscription names, keyed by topic."
  value       = { for key, sub in google_pubsub_subscription.push : key => sub.name }
}

output "function_service_accounts" {
  description = "Each function's service account e-mail."
  value       = { for name, account in google_service_account.function : name => account.email }
}

output "secrets" {
  description = "Secret Manager secret ids whose values must be added out of band (README.md, step 3)."
  value       = { for key, secret in google_secret_manager_secret.secret : key => secret.secret_id }
}
