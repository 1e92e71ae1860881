provider "google" {
  project = var.project_id
  region  = var.region

  # Every resource that takes labels gets these, so the bot's costs can be found in billing.
  default_labels = {
    app        = var.name_prefix
    managed-by = "terraform"
  }
}
