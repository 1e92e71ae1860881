# Alert when a receipt is dead-lettered. The deadletter function logs one structured line
# per such receipt: {"severity": "ERROR", "event": "receipt_dead_lettered", "receipt_id": ...}.

resource "google_logging_metric" "dead_lettered" {
  name        = "${var.name_prefix}/receipts_dead_lettered"
  description = "Receipts that failed every delivery attempt and reached the deadletter function."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.functions.deadletter.name}\" AND jsonPayload.event=\"receipt_dead_lettered\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Dead-lettered receipts (${var.name_prefix})"
  }

  depends_on = [google_project_service.service]
}

resource "google_monitoring_notification_channel" "email" {
  count = var.alert_email == "" ? 0 : 1

  display_name = "${var.name_prefix} dead-letter alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.service]
}

resource "google_monitoring_alert_policy" "dead_lettered" {
  display_name          = "${var.name_prefix}: receipts dead-lettered"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = concat(var.alert_notification_channels, google_monitoring_notification_channel.email[*].id)

  conditions {
    display_name = "A receipt failed every attempt"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.dead_lettered.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
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
    content   = "A receipt failed every delivery attempt. The user was told once; the photo and its event are kept under failed/ in the raw bucket. Find the cause in the logs of the preprocess and extract functions (filter on the receipt_id of the deadletter log line), then `make replay`."
  }
}
