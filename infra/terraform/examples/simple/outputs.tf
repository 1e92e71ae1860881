# Read by `make set-webhook` (webhook_url) and `make replay` (raw_bucket, work_bucket, topics).

output "webhook_url" {
  description = "The webhook function's URL."
  value       = module.receipt_bot.webhook_url
}

output "function_urls" {
  description = "Each function's URL."
  value       = module.receipt_bot.function_urls
}

output "function_service_accounts" {
  description = "Each function's service account e-mail."
  value       = module.receipt_bot.function_service_accounts
}

output "raw_bucket" {
  description = "Uploaded photos and dead-lettered receipts."
  value       = module.receipt_bot.raw_bucket
}

output "work_bucket" {
  description = "Processed images, claims and rate-limit counters."
  value       = module.receipt_bot.work_bucket
}

output "firestore_database" {
  description = "The Firestore database of the receipt records."
  value       = module.receipt_bot.firestore_database
}

output "topics" {
  description = "Pub/Sub topic names, keyed as in pipeline.json."
  value       = module.receipt_bot.topics
}

output "secrets" {
  description = "Secret ids whose versions you add (README.md, step 2)."
  value       = module.receipt_bot.secrets
}
