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

  validation {
    # Pub/Sub topic names may not start with "goog"; bucket names may not contain "google".
    condition     = !startswith(var.name_prefix, "goog") && !strcontains(var.name_prefix, "google")
    error_message = "name_prefix may not start with \"goog\" (Pub/Sub) or contain \"google\" (Cloud Storage)."
  }
}

variable "labels" {
  description = "Labels put on every resource that takes labels, besides app = name_prefix and managed-by = terraform (billing reports group costs by them)."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for key, value in var.labels :
    can(regex("^[a-z][a-z0-9_-]{0,62}$", key)) && can(regex("^[a-z0-9_-]{0,63}$", value))])
    error_message = "labels: keys must be 1-63 lowercase letters, digits, _ or -, starting with a letter; values at most 63 of the same."
  }
}

variable "pipeline" {
  description = "infra/pipeline.json, decoded: the functions, topics and subscription settings shared with the local stack. Its ranges are checked here, so a wrong value stops `terraform plan` naming the field."
  type = object({
    functions = map(object({
      entry_point                      = string
      trigger                          = string
      timeout_seconds                  = number
      memory                           = string
      cpu                              = string
      max_instance_request_concurrency = number
      max_instance_count               = number
    }))
    topics = map(object({
      subscriber        = string
      dead_letter_topic = optional(string)
    }))
    subscription_defaults = object({
      ack_deadline_margin_seconds = number
      max_delivery_attempts       = number
      min_backoff_seconds         = number
      max_backoff_seconds         = number
      message_retention_seconds   = number
    })
  })

  validation {
    condition     = try(var.pipeline.functions.webhook.trigger, "") == "http" && length([for fn in values(var.pipeline.functions) : fn if fn.trigger == "http"]) == 1
    error_message = "infra/pipeline.json: functions.webhook must be the one function with trigger \"http\" (Telegram calls it)."
  }
  validation {
    condition     = alltrue([for fn in values(var.pipeline.functions) : contains(["http", "push"], fn.trigger)])
    error_message = "infra/pipeline.json: functions.${join(", functions.", [for name, fn in var.pipeline.functions : name if !contains(["http", "push"], fn.trigger)])}.trigger must be \"http\" or \"push\"."
  }
  validation {
    # Cloud Run functions: 3600 s for HTTP; a push subscriber is also bounded by the ack deadline below.
    condition     = alltrue([for fn in values(var.pipeline.functions) : fn.timeout_seconds >= 1 && fn.timeout_seconds <= 3600 && floor(fn.timeout_seconds) == fn.timeout_seconds])
    error_message = "infra/pipeline.json: functions.${join(", functions.", [for name, fn in var.pipeline.functions : name if !(fn.timeout_seconds >= 1 && fn.timeout_seconds <= 3600)])}.timeout_seconds must be a whole number from 1 to 3600."
  }
  validation {
    condition     = alltrue([for fn in values(var.pipeline.functions) : can(regex("^[0-9]+(Mi|Gi)$", fn.memory)) && can(tonumber(fn.cpu))])
    error_message = "infra/pipeline.json: functions.*.memory must look like 512Mi or 1Gi, and cpu like \"1\" or \"0.5\"."
  }
  validation {
    condition     = alltrue([for fn in values(var.pipeline.functions) : fn.max_instance_request_concurrency >= 1 && fn.max_instance_request_concurrency <= 1000 && floor(fn.max_instance_request_concurrency) == fn.max_instance_request_concurrency])
    error_message = "infra/pipeline.json: functions.*.max_instance_request_concurrency must be a whole number from 1 to 1000."
  }
  validation {
    # Cloud Run serves more than one request at a time only with a whole vCPU.
    condition     = alltrue([for fn in values(var.pipeline.functions) : fn.max_instance_request_concurrency == 1 || try(tonumber(fn.cpu) >= 1, false)])
    error_message = "infra/pipeline.json: functions.${join(", functions.", [for name, fn in var.pipeline.functions : name if !(fn.max_instance_request_concurrency == 1 || try(tonumber(fn.cpu) >= 1, false))])}.max_instance_request_concurrency above 1 needs cpu of at least 1."
  }
  validation {
    condition     = alltrue([for fn in values(var.pipeline.functions) : fn.max_instance_count >= 1 && fn.max_instance_count <= 1000 && floor(fn.max_instance_count) == fn.max_instance_count])
    error_message = "infra/pipeline.json: functions.*.max_instance_count must be a whole number from 1 to 1000."
  }
  validation {
    condition     = alltrue([for spec in values(var.pipeline.topics) : try(var.pipeline.functions[spec.subscriber].trigger, "") == "push"])
    error_message = "infra/pipeline.json: topics.${join(", topics.", [for topic, spec in var.pipeline.topics : topic if try(var.pipeline.functions[spec.subscriber].trigger, "") != "push"])}.subscriber must name a push function."
  }
  validation {
    condition     = alltrue([for spec in values(var.pipeline.topics) : spec.dead_letter_topic == null || contains(keys(var.pipeline.topics), coalesce(spec.dead_letter_topic, "-"))])
    error_message = "infra/pipeline.json: topics.${join(", topics.", [for topic, spec in var.pipeline.topics : topic if !(spec.dead_letter_topic == null || contains(keys(var.pipeline.topics), coalesce(spec.dead_letter_topic, "-")))])}.dead_letter_topic must be a topic of pipeline.json (so it has a subscriber)."
  }
  validation {
    # Pub/Sub's longest ack deadline is 600 s; the deadline is the subscriber's timeout plus the margin.
    condition     = alltrue([for spec in values(var.pipeline.topics) : try(var.pipeline.functions[spec.subscriber].timeout_seconds + var.pipeline.subscription_defaults.ack_deadline_margin_seconds <= 600, true)])
    error_message = "infra/pipeline.json: functions.${join(", functions.", distinct([for spec in values(var.pipeline.topics) : spec.subscriber if !try(var.pipeline.functions[spec.subscriber].timeout_seconds + var.pipeline.subscription_defaults.ack_deadline_margin_seconds <= 600, true)]))}.timeout_seconds + subscription_defaults.ack_deadline_margin_seconds must be at most 600 (Pub/Sub's longest ack deadline)."
  }
  validation {
    condition     = var.pipeline.subscription_defaults.ack_deadline_margin_seconds >= 0 && var.pipeline.subscription_defaults.ack_deadline_margin_seconds <= 590
    error_message = "infra/pipeline.json: subscription_defaults.ack_deadline_margin_seconds must be from 0 to 590."
  }
  validation {
    condition     = var.pipeline.subscription_defaults.max_delivery_attempts >= 5 && var.pipeline.subscription_defaults.max_delivery_attempts <= 100 && floor(var.pipeline.subscription_defaults.max_delivery_attempts) == var.pipeline.subscription_defaults.max_delivery_attempts
    error_message = "infra/pipeline.json: subscription_defaults.max_delivery_attempts must be a whole number from 5 to 100 (Pub/Sub's range), not ${var.pipeline.subscription_defaults.max_delivery_attempts}."
  }
  validation {
    condition     = var.pipeline.subscription_defaults.min_backoff_seconds >= 0 && var.pipeline.subscription_defaults.min_backoff_seconds <= 600
    error_message = "infra/pipeline.json: subscription_defaults.min_backoff_seconds must be from 0 to 600 (Pub/Sub's range)."
  }
  validation {
    condition     = var.pipeline.subscription_defaults.max_backoff_seconds <= 600 && var.pipeline.subscription_defaults.max_backoff_seconds >= var.pipeline.subscription_defaults.min_backoff_seconds
    error_message = "infra/pipeline.json: subscription_defaults.max_backoff_seconds must be at most 600 (Pub/Sub's range) and at least min_backoff_seconds."
  }
  validation {
    # 10 minutes to 31 days.
    condition     = var.pipeline.subscription_defaults.message_retention_seconds >= 600 && var.pipeline.subscription_defaults.message_retention_seconds <= 2678400
    error_message = "infra/pipeline.json: subscription_defaults.message_retention_seconds must be from 600 (10 minutes) to 2678400 (31 days)."
  }
}

variable "repo_root" {
  description = "The repository checkout: function bundles are zipped from its build/<function>/ (`make build`) and compared with its functions/ and receiptbot/, so old code is never deployed."
  type        = string
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

variable "secret_versions" {
  description = "The Secret Manager version number each function reads, by secret: telegram-bot-token, telegram-webhook-secret, and gemini-api-key in api_key mode. Rotating a secret is changing its number here: an in-place update (a new revision of the same service, its invoker bindings kept)."
  type        = map(string)

  validation {
    # "latest" is resolved when an instance starts: after a rotation, old and new instances would
    # hold different values, and a rotation would need a redeploy that changes nothing Terraform sees.
    condition     = alltrue([for version in values(var.secret_versions) : can(regex("^[1-9][0-9]*$", version))])
    error_message = "secret_versions must be version numbers such as \"1\" (not \"latest\": README.md, rotating a secret)."
  }
  validation {
    condition = alltrue([for secret in concat(["telegram-bot-token", "telegram-webhook-secret"], var.gemini_mode == "api_key" ? ["gemini-api-key"] : []) :
    contains(keys(var.secret_versions), secret)])
    error_message = "secret_versions needs telegram-bot-token and telegram-webhook-secret, and gemini-api-key in api_key mode."
  }
}

variable "webhook_access" {
  description = "How Telegram reaches the webhook, which checks Telegram's secret token itself: \"all_users\" grants roles/run.invoker to allUsers; \"invoker_iam_check_disabled\" turns Cloud Run's invoker check off on its service (with gcloud), for organisations whose domain-restricted sharing refuses allUsers."
  type        = string
  default     = "all_users"

  validation {
    condition     = contains(["all_users", "invoker_iam_check_disabled"], var.webhook_access)
    error_message = "webhook_access must be \"all_users\" or \"invoker_iam_check_disabled\"."
  }
}

variable "function_limits" {
  description = "Per-function overrides of infra/pipeline.json's max_instance_count (caps the bill, above all Gemini's) and max_instance_request_concurrency, by function name."
  type = map(object({
    max_instance_count               = optional(number)
    max_instance_request_concurrency = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for name in keys(var.function_limits) : contains(keys(var.pipeline.functions), name)])
    error_message = "function_limits keys must be function names of infra/pipeline.json."
  }

  validation {
    condition = alltrue([for limits in values(var.function_limits) : alltrue([
      for value in [limits.max_instance_count, limits.max_instance_request_concurrency] :
      value == null ? true : (value >= 1 && value <= 1000 && floor(value) == value)
    ])])
    error_message = "max_instance_count and max_instance_request_concurrency must be whole numbers from 1 to 1000."
  }

  validation {
    condition = alltrue([for name, limits in var.function_limits :
    coalesce(limits.max_instance_request_concurrency, 1) == 1 || try(tonumber(var.pipeline.functions[name].cpu) >= 1, false)])
    error_message = "function_limits: max_instance_request_concurrency above 1 needs the function's cpu (infra/pipeline.json) to be at least 1."
  }
}

variable "min_instance_counts" {
  description = "Instances kept warm per function (no cold start, billed while idle: README.md, cost). Default 0 for every function."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.min_instance_counts) : contains(keys(var.pipeline.functions), name)])
    error_message = "min_instance_counts keys must be function names of infra/pipeline.json."
  }

  validation {
    condition = alltrue([for name, count in var.min_instance_counts : count >= 0 && floor(count) == count &&
    count <= coalesce(try(var.function_limits[name].max_instance_count, null), try(var.pipeline.functions[name].max_instance_count, 0))])
    error_message = "min_instance_counts must be whole numbers from 0 to the function's max_instance_count."
  }
}

variable "firestore_database_id" {
  description = "Id of the Firestore database of the receipt records (FIRESTORE_DATABASE of the functions)."
  type        = string
  default     = "receipt-bot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore_database_id))
    error_message = "firestore_database_id must be 4-63 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "firestore_location" {
  description = "Firestore location: a multi-region (eur3 for Europe, nam5 for the United States) or a region. Choose the one holding var.region; it cannot change later."
  type        = string
  default     = "eur3"

  validation {
    condition     = contains(["eur3", "nam5", "nam7"], var.firestore_location) || can(regex("^[a-z]+-[a-z]+[0-9]+$", var.firestore_location))
    error_message = "firestore_location must be eur3, nam5, nam7 or a region such as europe-west1."
  }
}

variable "raw_retention_days" {
  description = "Days before an uploaded photo (raw/ in the raw bucket) is deleted. At least Pub/Sub's message retention (pipeline.json), so a redelivered event still finds its photo."
  type        = number
  default     = 7

  validation {
    condition     = var.raw_retention_days * 86400 >= var.pipeline.subscription_defaults.message_retention_seconds && var.raw_retention_days <= 3650 && floor(var.raw_retention_days) == var.raw_retention_days
    error_message = "raw_retention_days must be a whole number of days, at least infra/pipeline.json's subscription_defaults.message_retention_seconds, at most 3650."
  }
}

variable "work_retention_days" {
  description = "Days before intermediate objects (processed images, claims, rate-limit counters) in the work bucket are deleted. At least Pub/Sub's message retention: the claims keep redeliveries from answering twice."
  type        = number
  default     = 8

  validation {
    condition     = var.work_retention_days * 86400 >= var.pipeline.subscription_defaults.message_retention_seconds && var.work_retention_days <= 3650 && floor(var.work_retention_days) == var.work_retention_days
    error_message = "work_retention_days must be a whole number of days, at least infra/pipeline.json's subscription_defaults.message_retention_seconds, at most 3650."
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

variable "images_kept" {
  description = "Function images kept per package in the Artifact Registry repository; older ones are deleted after 30 days."
  type        = number
  default     = 5

  validation {
    condition     = var.images_kept >= 1 && var.images_kept <= 100 && floor(var.images_kept) == var.images_kept
    error_message = "images_kept must be a whole number from 1 to 100."
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

variable "notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/P/notificationChannels/N) every alert goes to. At least one: an alert nobody receives is not an alert."
  type        = list(string)

  validation {
    condition     = length(var.notification_channels) >= 1
    error_message = "notification_channels needs at least one channel (the example makes an e-mail channel from alert_email)."
  }
}

variable "alert_thresholds" {
  description = "When the alerts fire: the oldest unacknowledged message older than backlog_age_seconds; more than push_failures non-2xx push answers in 5 minutes; more than error_ratio of a function's requests answered 5xx over 5 minutes. Any dead-lettered message always alerts."
  type = object({
    backlog_age_seconds = optional(number, 900)
    push_failures       = optional(number, 20)
    error_ratio         = optional(number, 0.05)
  })
  default = {}

  validation {
    condition     = var.alert_thresholds.backlog_age_seconds >= 60 && var.alert_thresholds.push_failures >= 0 && var.alert_thresholds.error_ratio > 0 && var.alert_thresholds.error_ratio < 1
    error_message = "alert_thresholds: backlog_age_seconds at least 60, push_failures at least 0, error_ratio between 0 and 1."
  }
}

variable "daily_caps" {
  description = "Receipts a day per user, per chat and for the whole bot: past a cap the user is told once when they can send again. The global cap bounds the Gemini bill (about $0.0025 a receipt with gemini-2.5-flash)."
  type = object({
    user   = optional(number, 100)
    chat   = optional(number, 300)
    global = optional(number, 10000)
  })
  default = {}
  validation {
    condition     = alltrue([for cap in values(var.daily_caps) : cap >= 1 && floor(cap) == cap])
    error_message = "daily_caps: each cap is a whole number of receipts, at least 1."
  }
}
