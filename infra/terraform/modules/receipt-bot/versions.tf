terraform {
  # 1.9: a variable's validation may refer to other variables (the instance counts against
  # pipeline.json's limits).
  required_version = ">= 1.9"

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
    # Waits for IAM grants to propagate before the first build (as the provider's own examples do).
    time = {
      source  = "hashicorp/time"
      version = "~> 0.13"
    }
  }
}
