# Cloud deployment: function bundles, Terraform checks, Telegram webhook registration.
# The Terraform tools live in their own venvs (checkov pins clash with the app's, and its
# bc-python-hcl2 installs the same `hcl2` module as python-hcl2): .venv-infra and .venv-checkov.

INFRA_VENV ?= .venv-infra
CHECKOV_VENV ?= .venv-checkov
TF_DIR := infra/terraform

.PHONY: build tf-check infra-venv set-webhook

$(INFRA_VENV)/.installed: infra/requirements-tf-check.txt
	$(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

$(CHECKOV_VENV)/.installed: infra/requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

infra-venv: $(INFRA_VENV)/.installed $(CHECKOV_VENV)/.installed  ## the Terraform check tools (.venv-infra, .venv-checkov)

build:  ## bundle each function with the shared receiptbot package into build/<function>/
	$(PYTHON) -m tools.build_functions

tf-check: infra-venv  ## terraform fmt, checkov, provider schema and wiring checks of infra/terraform
	$(INFRA_VENV)/bin/python -m tools.tf.check --dir $(TF_DIR) --checkov $(CHECKOV_VENV)/bin/checkov

set-webhook: venv  ## register the deployed webhook with Telegram (needs TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET)
	$(PY) -m tools.set_webhook --tf-dir $(TF_DIR)
