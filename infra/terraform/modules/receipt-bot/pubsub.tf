# Topics, dead-letter topics and push subscriptions, all from infra/pipeline.json.

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Messages carry ids and object names only, never image bytes or secrets; Google-managed encryption suffices.
  for_each = local.topics

  name   = each.value
  labels = local.labels

  depends_on = [google_project_service.service]
}

# Explicit push subscriptions (not Eventarc triggers), so the cloud wiring has the same shape
# as the local stack's: dead-letter topic, retry policy and ack deadline set here.
resource "google_pubsub_subscription" "push" {
  for_each = local.subscriptions

  name                       = each.value.name
  topic                      = google_pubsub_topic.topic[each.key].id
  ack_deadline_seconds       = each.value.ack_deadline_seconds
  message_retention_duration = "${local.subscription.message_retention_seconds}s"
  labels                     = local.labels

  push_config {
    # The topic in the path becomes the CloudEvent's source in functions-framework.
    push_endpoint = "${google_cloudfunctions2_function.function[each.value.subscriber].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.topic[each.key].name}"

    # Pub/Sub signs each push with this account's identity; only it may invoke the
    # event functions.
    oidc_token {
      service_account_email = google_service_account.push_invoker.email
      audience              = google_cloudfunctions2_function.function[each.value.subscriber].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${local.subscription.min_backoff_seconds}s"
    maximum_backoff = "${local.subscription.max_backoff_seconds}s"
  }

  dynamic "dead_letter_policy" {
    for_each = each.value.dead_letter_topic == null ? [] : [each.value.dead_letter_topic]
    content {
      dead_letter_topic     = google_pubsub_topic.topic[dead_letter_policy.value].id
      max_delivery_attempts = local.subscription.max_delivery_attempts
    }
  }

  # A quiet bot must not lose its subscriptions (the default expires them after 31 idle days).
  expiration_policy {
    ttl = ""
  }

  # The first push must find its invoker binding, or it is counted as a failed attempt.
  depends_on = [google_cloud_run_v2_service_iam_member.push_invoker]
}
