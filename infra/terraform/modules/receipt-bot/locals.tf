# What gets built, as plain values computed from infra/pipeline.json (var.pipeline) and the
# variables. (make tf-check evaluates them, with the resources, through Terraform itself:
# tools/tf/wiring.py.)

locals {
  subscription      = var.pipeline.subscription_defaults
  gemini_uses_key   = var.gemini_mode == "api_key"
  gemini_uses_agent = var.gemini_mode == "vertex_ai"
  labels            = merge({ app = var.name_prefix, managed-by = "terraform" }, var.labels)

  # pipeline.json's limits, with the per-function overrides of the variables.
  functions = {
    for name, fn in var.pipeline.functions : name => merge(fn, {
      name                             = "${var.name_prefix}-${name}"
      public                           = fn.trigger == "http"
      min_instance_count               = lookup(var.min_instance_counts, name, 0)
      max_instance_count               = coalesce(try(var.function_limits[name].max_instance_count, null), fn.max_instance_count)
      max_instance_request_concurrency = coalesce(try(var.function_limits[name].max_instance_request_concurrency, null), fn.max_instance_request_concurrency)
    })
  }
  push_functions = { for name, fn in local.functions : name => fn if fn.trigger == "push" }

  topics = { for topic in keys(var.pipeline.topics) : topic => "${var.name_prefix}-${topic}" }

  # One push subscription per topic, to the function pipeline.json names as its subscriber.
  # The ack deadline covers the function's whole timeout, so a slow run is not redelivered
  # while it still works.
  subscriptions = {
    for topic, spec in var.pipeline.topics : topic => merge(spec, {
      name                 = "${var.name_prefix}-${topic}-${spec.subscriber}"
      ack_deadline_seconds = var.pipeline.functions[spec.subscriber].timeout_seconds + local.subscription.ack_deadline_margin_seconds
    })
  }
  # The Pub/Sub service agent forwards dead letters: it publishes to these topics and
  # acknowledges on the subscriptions that dead-letter.
  dead_letter_topics           = toset([for spec in values(var.pipeline.topics) : spec.dead_letter_topic if spec.dead_letter_topic != null])
  dead_lettering_subscriptions = toset([for topic, spec in var.pipeline.topics : topic if spec.dead_letter_topic != null])

  buckets = {
    # Photos: deleted after raw_retention_days; dead-lettered ones (failed/) kept longer for
    # `make replay`. No soft delete: a deleted photo is gone.
    raw = {
      name   = "${var.project_id}-${var.name_prefix}-raw"
      expire = [{ prefixes = ["raw/"], days = var.raw_retention_days }, { prefixes = ["failed/"], days = var.failed_retention_days }]
    }
    # Processed images, claims, rate-limit counters: short-lived.
    work = {
      name   = "${var.project_id}-${var.name_prefix}-work"
      expire = [{ prefixes = [], days = var.work_retention_days }]
    }
  }

  secrets = toset(concat(["telegram-bot-token", "telegram-webhook-secret"], local.gemini_uses_key ? ["gemini-api-key"] : []))

  # Least privilege: all that each function's service account may do, granted on the bucket,
  # topic, secret or database itself. (Vertex AI mode adds roles/aiplatform.user for extract,
  # which only exists on the project: see iam.tf.)
  function_buckets = {
    webhook    = { raw = "roles/storage.objectUser", work = "roles/storage.objectUser" } # /delete erases a chat's photos
    preprocess = { raw = "roles/storage.objectViewer", work = "roles/storage.objectUser" }
    extract    = { work = "roles/storage.objectUser" }
    export     = { work = "roles/storage.objectUser" }                                   # the claim that sends each export once
    deadletter = { raw = "roles/storage.objectUser", work = "roles/storage.objectUser" } # copies the photo to failed/
  }
  function_publishes = {
    webhook    = ["receipts-uploaded", "exports-requested"]
    preprocess = ["receipts-preprocessed"]
  }
  # Who reads and writes the receipt records (roles/datastore.user, this database only).
  # Preprocess and deadletter answer an album's photo in the album's summary (its Firestore document).
  firestore_users = toset(["webhook", "preprocess", "extract", "export", "deadletter"])
  # IAM conditions see a document's database as the resource: this database and what is in it.
  firestore_database_name = "projects/${var.project_id}/databases/${var.firestore_database_id}"
  firestore_condition     = "resource.name == \"${local.firestore_database_name}\" || resource.name.startsWith(\"${local.firestore_database_name}/\")"

  # Secrets each function reads, as environment variable => secret.
  function_secrets = {
    webhook    = { TELEGRAM_BOT_TOKEN = "telegram-bot-token", TELEGRAM_WEBHOOK_SECRET = "telegram-webhook-secret" }
    preprocess = { TELEGRAM_BOT_TOKEN = "telegram-bot-token" }
    extract    = merge({ TELEGRAM_BOT_TOKEN = "telegram-bot-token" }, local.gemini_uses_key ? { GEMINI_API_KEY = "gemini-api-key" } : {})
    export     = { TELEGRAM_BOT_TOKEN = "telegram-bot-token" }
    deadletter = { TELEGRAM_BOT_TOKEN = "telegram-bot-token" }
  }

  bucket_grants = merge([
    for fn, buckets in local.function_buckets : { for bucket, role in buckets : "${fn}-${bucket}" => { function = fn, bucket = bucket, role = role } }
  ]...)
  topic_grants = merge([
    for fn, topics in local.function_publishes : { for topic in topics : "${fn}-${topic}" => { function = fn, topic = topic } }
  ]...)
  secret_grants = merge([
    for fn, env in local.function_secrets : { for secret in values(env) : "${fn}-${secret}" => { function = fn, secret = secret } }
  ]...)

  # Plain environment of each function (receiptbot/config.py reads it). Secrets are added
  # from Secret Manager, never as plain values.
  function_env = {
    webhook = {
      RAW_BUCKET         = local.buckets.raw.name
      WORK_BUCKET        = local.buckets.work.name
      TOPIC_UPLOADED     = local.topics["receipts-uploaded"]
      TOPIC_EXPORTS      = local.topics["exports-requested"]
      FIRESTORE_DATABASE = var.firestore_database_id # /month, corrections, /delete
      ALLOWED_CHAT_IDS   = join(",", [for id in var.allowed_chat_ids : format("%d", id)])
      # /help tells users how long their photo is kept.
      RAW_RETENTION_DAYS    = tostring(var.raw_retention_days)
      FAILED_RETENTION_DAYS = tostring(var.failed_retention_days)
      USER_DAILY_RECEIPTS   = tostring(var.daily_caps.user)
      CHAT_DAILY_RECEIPTS   = tostring(var.daily_caps.chat)
      GLOBAL_DAILY_RECEIPTS = tostring(var.daily_caps.global)
    }
    preprocess = {
      RAW_BUCKET         = local.buckets.raw.name
      WORK_BUCKET        = local.buckets.work.name
      TOPIC_PREPROCESSED = local.topics["receipts-preprocessed"]
      FIRESTORE_DATABASE = var.firestore_database_id # an album's photo that cannot be read
      # Sizes the image for Gemini's tiles rather than upscaling it for OCR.
      EXTRACT_ENGINE = "gemini"
    }
    extract = merge({
      WORK_BUCKET        = local.buckets.work.name
      FIRESTORE_DATABASE = var.firestore_database_id
      GEMINI_MODEL       = var.gemini_model
      EXTRACT_ENGINE     = "gemini" # Tesseract is not in the Cloud Functions runtime
      }, local.gemini_uses_agent ? {
      GOOGLE_GENAI_USE_VERTEXAI = "true"
      GOOGLE_CLOUD_LOCATION     = var.vertex_location
    } : {})
    export = {
      WORK_BUCKET        = local.buckets.work.name
      FIRESTORE_DATABASE = var.firestore_database_id
    }
    deadletter = {
      RAW_BUCKET         = local.buckets.raw.name
      WORK_BUCKET        = local.buckets.work.name
      FIRESTORE_DATABASE = var.firestore_database_id # an album's photo that failed every attempt
    }
  }
  environment = {
    for name, fn in local.functions : name => merge(try(local.function_env[name], {}), {
      GOOGLE_CLOUD_PROJECT = var.project_id
      LOG_EXECUTION_ID     = "true"
      # functions-framework serves this many requests at once per instance (gunicorn threads).
      THREADS = tostring(fn.max_instance_request_concurrency)
    })
  }

  services = toset(concat([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "serviceusage.googleapis.com",
    "storage.googleapis.com",
  ], local.gemini_uses_agent ? ["aiplatform.googleapis.com"] : []))
}
