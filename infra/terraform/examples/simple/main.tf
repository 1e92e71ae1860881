# A whole deployment of the receipt bot in one project: the module, and an e-mail channel for
# its alerts. Copy terraform.tfvars.example to terraform.tfvars and follow ../../README.md.

provider "google" {
  project = var.project_id
  region  = var.region
}

resource "google_monitoring_notification_channel" "email" {
  display_name = "receipt bot alerts"
  type         = "email"
  labels       = { email_address = var.alert_email }
  user_labels  = merge({ app = "receipt-bot", managed-by = "terraform" }, var.labels)
}

module "receipt_bot" {
  source = "../../modules/receipt-bot"

  project_id = var.project_id
  region     = var.region
  labels     = var.labels
  # The single source of truth shared with the local stack, and the checkout whose build/ is deployed.
  pipeline  = jsondecode(file("${path.module}/../../../pipeline.json"))
  repo_root = "${path.module}/../../../.."

  gemini_mode           = var.gemini_mode
  secret_versions       = var.secret_versions
  webhook_access        = var.webhook_access
  allowed_chat_ids      = var.allowed_chat_ids
  function_limits       = var.function_limits
  min_instance_counts   = var.min_instance_counts
  notification_channels = [google_monitoring_notification_channel.email.id]
}
