output "webhook_url" {
  description = "The webhook function's URL: `make set-webhook` registers it with Telegram."
  value       = google_cloudfunctions2_function.function["webhook"].service_config[0].uri
}

output "function_urls" {
  description = "Each function's URL, by function name (only the webhook's is reachable from the internet)."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.service_config[0].uri }
}

output "function_service_accounts" {
  description = "Each function's service account e-mail, by function name."
  value       = { for name, account in google_service_account.function : name => account.email }
}

output "push_invoker_service_account" {
  description = "The account Pub/Sub signs its pushes with (run.invoker on the event functions)."
  value       = google_service_account.push_invoker.email
}

output "build_service_account" {
  description = "The account Cloud Build builds the functions as."
  value       = google_service_account.build.email
}

output "raw_bucket" {
  description = "Uploaded photos (raw/) and dead-lettered receipts (failed/)."
  value       = google_storage_bucket.bucket["raw"].name
}

output "work_bucket" {
  description = "Processed images, claims and rate-limit counters."
  value       = google_storage_bucket.bucket["work"].name
}

output "sources_bucket" {
  description = "Function source bundles, named by content hash."
  value       = google_storage_bucket.sources.name
}

output "firestore_database" {
  description = "The Firestore database id of the receipt records (FIRESTORE_DATABASE)."
  value       = google_firestore_database.records.name
}

output "topics" {
  description = "Pub/Sub topic names, keyed as in infra/pipeline.json (dead-letter topics included)."
  value       = { for key, topic in google_pubsub_topic.topic : key => topic.name }
}

output "subscriptions" {
  description = "Push subscription names, keyed by topic."
  value       = { for key, sub in google_pubsub_subscription.push : key => sub.name }
}

output "secrets" {
  description = "Secret Manager secret ids whose versions are added out of band (README.md, step 2)."
  value       = { for key, secret in google_secret_manager_secret.secret : key => secret.secret_id }
}

output "artifact_repository" {
  description = "The Artifact Registry repository of the function images."
  value       = google_artifact_registry_repository.functions.id
}

output "alert_policies" {
  description = "The alert policies' ids, by alert."
  value       = merge({ for key, policy in google_monitoring_alert_policy.alert : key => policy.id }, { error_rate = google_monitoring_alert_policy.error_rate.id })
}

output "project_number" {
  description = "The project's number (it names Google's service agents)."
  value       = data.google_project.this.number
}
