# Alerts that fire when things break, read from Pub/Sub's and Cloud Run's own metrics (no
# log-based metric: nothing here depends on a metric created in the same apply, and the
# dead-letter alert fires even when the deadletter function itself cannot run).

locals {
  main_subscriptions = [for topic in local.dead_lettering_subscriptions : local.subscriptions[topic].name]
  all_subscriptions  = [for sub in values(local.subscriptions) : sub.name]
  dead_letter_names  = [for topic in local.dead_letter_topics : local.topics[topic]]
  service_names      = [for fn in values(local.functions) : fn.name]
  quoted             = { for key, names in { subs = local.main_subscriptions, all = local.all_subscriptions, dead = local.dead_letter_names, services = local.service_names } : key => join(", ", [for name in names : "\"${name}\""]) }

  alerts = {
    backlog = {
      name   = "receipts waiting too long"
      filter = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/oldest_unacked_message_age\" AND resource.labels.subscription_id = one_of(${local.quoted.subs})"
      # The oldest unacknowledged message, per subscription.
      aligner   = "ALIGN_MAX"
      reducer   = "REDUCE_MAX"
      group_by  = ["resource.label.subscription_id"]
      threshold = var.alert_thresholds.backlog_age_seconds
      doc       = "A subscription's oldest unacknowledged receipt is older than ${var.alert_thresholds.backlog_age_seconds} s: its function is failing, throttled (max_instance_count) or not reachable. Check the function's logs and the push failures alert."
    }
    push_failures = {
      name      = "push deliveries failing"
      filter    = "resource.type = \"pubsub_subscription\" AND metric.type = \"pubsub.googleapis.com/subscription/push_request_count\" AND metric.labels.response_class != \"ack\" AND resource.labels.subscription_id = one_of(${local.quoted.all})"
      aligner   = "ALIGN_DELTA"
      reducer   = "REDUCE_SUM"
      threshold = var.alert_thresholds.push_failures
      group_by  = ["resource.label.subscription_id"]
      doc       = "Pub/Sub got more than ${var.alert_thresholds.push_failures} non-2xx answers in 5 minutes from the functions: 403 means a missing run.invoker binding of the push invoker, 429 too few instances, 5xx a failing function."
    }
    dead_lettered = {
      name      = "receipts dead-lettered"
      filter    = "resource.type = \"pubsub_topic\" AND metric.type = \"pubsub.googleapis.com/topic/send_message_operation_count\" AND resource.labels.topic_id = one_of(${local.quoted.dead})"
      aligner   = "ALIGN_DELTA"
      reducer   = "REDUCE_SUM"
      threshold = 0
      group_by  = ["resource.label.topic_id"]
      doc       = "A message failed every delivery attempt and went to a dead-letter topic. The deadletter function tells the user once and keeps the photo and event under failed/ in the raw bucket; find the cause in the preprocess, extract and export logs (filter on the receipt_id), then `make replay`."
    }
  }
}

resource "google_monitoring_alert_policy" "alert" {
  for_each = local.alerts

  display_name          = "${var.name_prefix}: ${each.value.name}"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = each.value.name
    condition_threshold {
      filter          = each.value.filter
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = "0s"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = each.value.aligner
        cross_series_reducer = each.value.reducer
        group_by_fields      = each.value.group_by
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = each.value.doc
  }

  depends_on = [google_project_service.service]
}

# A function answering 5xx: the ratio of its 5xx responses to all its requests.
resource "google_monitoring_alert_policy" "error_rate" {
  display_name          = "${var.name_prefix}: functions failing"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = local.labels

  conditions {
    display_name = "5xx ratio above ${var.alert_thresholds.error_ratio}"
    condition_threshold {
      filter                  = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\" AND resource.labels.service_name = one_of(${local.quoted.services})"
      denominator_filter      = "resource.type = \"cloud_run_revision\" AND metric.type = \"run.googleapis.com/request_count\" AND resource.labels.service_name = one_of(${local.quoted.services})"
      comparison              = "COMPARISON_GT"
      threshold_value         = var.alert_thresholds.error_ratio
      duration                = "300s"
      evaluation_missing_data = "EVALUATION_MISSING_DATA_INACTIVE"

      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }

      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "More than ${var.alert_thresholds.error_ratio * 100} % of a function's requests answered 5xx over 5 minutes. Read that function's logs (severity ERROR)."
  }

  depends_on = [google_project_service.service]
}
