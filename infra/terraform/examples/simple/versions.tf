terraform {
  required_version = ">= 1.9"

  required_providers {
    # The same pins as the module (modules/receipt-bot/versions.tf).
    google = {
      source  = "hashicorp/google"
      version = "~> 8.7"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }

  # Shared state for a team (README.md, state): uncomment, then
  # terraform init -backend-config="bucket=<a versioned bucket>" -backend-config="prefix=receipt-bot"
  # backend "gcs" {}
}
