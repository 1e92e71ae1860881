resource "google_project_service" "service" {
  for_each = local.services
  service  = each.value

  # Turning an API off on destroy could break other workloads in the same project.
  disable_on_destroy = false
}

# The project number names the Pub/Sub service agent (it forwards dead letters).
data "google_project" "this" {
  project_id = var.project_id
}
