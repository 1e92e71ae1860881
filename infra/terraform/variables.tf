variable "project_id" {
  description = "The Google Cloud project to deploy into (its id, not its name or number)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6-30 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, buckets and Artifact Registry images. Pick one near your users."
  type        = string
  default     = "europe-west1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Cloud region such as europe-west1 or us-central1 (not a zone)."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, so several deployments can share a project."
  type        = string
  default     = "receiptbot"

  validation {
    # 16 characters keep "<prefix>-push-invoker" within the 30 characters of a service account id.
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-16 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "gemini_mode" {
  description = "How the extract function reaches Gemini: \"api_key\" (a Google AI Studio key in Secret Manager) or \"vertex_ai\" (Vertex AI, billed to this project, no key)."
  type        = string
  default     = "api_key"

  validation {
    condition     = contains(["api_key", "vertex_ai"], var.gemini_mode)
    error_message = "gemini_mode must be \"api_key\" or \"vertex_ai\"."
  }
}

variable "gemini_model" {
  description = "The Gemini model that reads receipts."
  type        = string
  default     = "gemini-2.5-flash"

  validation {
    condition     = can(regex("^gemini-[a-z0-9.-]+$", var.gemini_model))
    error_message = "gemini_model must be a Gemini model name such as gemini-2.5-flash."
  }
}

variable "vertex_location" {
  description = "Vertex AI location for gemini_mode = \"vertex_ai\" (\"global\" has the widest model availability)."
  type        = string
  default     = "global"

  validation {
    condition     = var.vertex_location == "global" || can(regex("^[a-z]+-[a-z]+[0-9]+$", var.vertex_location))
    error_message = "vertex_location must be \"global\" or a region such as europe-west1."
  }
}

variable "python_runtime" {
  description = "Cloud Functions Python runtime."
  type        = string
  default     = "python312"

  validation {
    condition     = can(regex("^python3[0-9]{2}$", var.python_runtime))
    error_message = "python_runtime must look like python312."
  }
}

variable "function_limits" {
  description = "Per-function overrides of infra/pipeline.json's max_instance_count (caps the bill, above all Gemini's) and max_instance_request_concurrency. Keys: webhook, preprocess, extract, deadletter."
  type = map(object({
    max_instance_count               = optional(number)
    max_instance_request_concurrency = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.function_limits) : contains(["webhook", "preprocess", "extract", "deadletter"], name)])
    error_message = "function_limits keys must be function names: webhook, preprocess, extract, deadletter."
  }

  validation {
    condition = alltrue([for limits in values(var.function_limits) : alltrue([
      for value in [limits.max_instance_count, limits.max_instance_request_concurrency] :
      value == null ? true : (value >= 1 && value <= 1000 && floor(value) == value)
    ])])
    error_message = "max_instance_count and max_instance_request_concurrency must be whole numbers from 1 to 1000."
  }
}

variable "raw_retention_days" {
  description = "Days before an uploaded photo (raw/ in the raw bucket) is deleted. At least the Pub/Sub message retention (7 days), so a redelivered event still finds its photo."
  type        = number
  default     = 7

  validation {
    condition     = var.raw_retention_days >= 7 && var.raw_retention_days <= 3650 && floor(var.raw_retention_days) == var.raw_retention_days
    error_message = "raw_retention_days must be a whole number from 7 to 3650."
  }
}

variable "work_retention_days" {
  description = "Days before intermediate objects (processed images, claims, rate-limit counters) in the work bucket are deleted. At least the Pub/Sub message retention (7 days): the claims keep redeliveries from answering twice."
  type        = number
  default     = 8

  validation {
    condition     = var.work_retention_days >= 7 && var.work_retention_days <= 3650 && floor(var.work_retention_days) == var.work_retention_days
    error_message = "work_retention_days must be a whole number from 7 to 3650."
  }
}

variable "failed_retention_days" {
  description = "Days before dead-lettered receipts (failed/ in the raw bucket, kept for `make replay`) are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.failed_retention_days >= 1 && var.failed_retention_days <= 3650 && floor(var.failed_retention_days) == var.failed_retention_days
    error_message = "failed_retention_days must be a whole number from 1 to 3650."
  }
}

variable "results_noncurrent_days" {
  description = "Days an overwritten or deleted result JSON is kept as a noncurrent version (versioning protects results)."
  type        = number
  default     = 30

  validation {
    condition     = var.results_noncurrent_days >= 1 && var.results_noncurrent_days <= 3650 && floor(var.results_noncurrent_days) == var.results_noncurrent_days
    error_message = "results_noncurrent_days must be a whole number from 1 to 3650."
  }
}

variable "allowed_chat_ids" {
  description = "Telegram chat ids the bot answers. Empty: everyone (the per-chat rate limit still applies)."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for id in var.allowed_chat_ids : floor(id) == id])
    error_message = "allowed_chat_ids must be whole numbers (group chats are negative)."
  }
}

variable "alert_email" {
  description = "E-mail address told when a receipt is dead-lettered. Empty: no e-mail channel (add channels with alert_notification_channels)."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address or empty."
  }
}

variable "alert_notification_channels" {
  description = "Existing Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) for the dead-letter alert."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", id))])
    error_message = "alert_notification_channels must be ids of the form projects/P/notificationChannels/N."
  }
}
