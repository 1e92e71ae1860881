terraform {
  # 1.5: `check` blocks and `import` blocks; nothing here needs a newer Terraform.
  required_version = ">= 1.5"

  required_providers {
    # Pinned to the minor line whose published schema `make tf-check` validates against
    # (cdktn-provider-google 21.1.0 carries hashicorp/google 8.7.0).
    google = {
      source  = "hashicorp/google"
      version = "~> 8.7"
    }
    # Zips each function's bundle from build/ (`make build`).
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }
}
