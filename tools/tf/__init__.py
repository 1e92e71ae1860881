"""`make tf-check`: the offline checks of infra/terraform (run as `python -m tools.tf.check`)."""
