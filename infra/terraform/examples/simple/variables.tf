# What changes from one deployment to the next; the module's other inputs keep their defaults
# (../../README.md, inputs). Validation is the module's.

variable "project_id" {
  description = "The Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the functions, buckets and images."
  type        = string
  default     = "europe-west1"
}

variable "labels" {
  description = "Labels on every resource (billing)."
  type        = map(string)
  default     = {}
}

variable "alert_email" {
  description = "E-mail address the alerts go to."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email)) && !endswith(var.alert_email, "@example.com")
    error_message = "alert_email must be a real e-mail address (not the example's)."
  }
}

variable "gemini_mode" {
  description = "\"api_key\" or \"vertex_ai\"."
  type        = string
  default     = "api_key"
}

variable "secret_versions" {
  description = "The Secret Manager version number each function reads, by secret."
  type        = map(string)
}

variable "webhook_access" {
  description = "\"all_users\" or \"invoker_iam_check_disabled\" (domain-restricted sharing)."
  type        = string
  default     = "all_users"
}

variable "allowed_chat_ids" {
  description = "Chats the bot answers; empty: everyone."
  type        = list(number)
  default     = []
}

variable "function_limits" {
  description = "Per-function overrides of pipeline.json's max_instance_count and max_instance_request_concurrency."
  type = map(object({
    max_instance_count               = optional(number)
    max_instance_request_concurrency = optional(number)
  }))
  default = {}
}

variable "min_instance_counts" {
  description = "Instances kept warm per function (cost: ../../README.md)."
  type        = map(number)
  default     = {}
}
