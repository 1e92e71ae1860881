# Cloud deployment: function bundles, Terraform checks, Telegram webhook registration, the benchmark
# against a deployment. The Terraform tools live in their own venvs (checkov pins clash with the
# app's, and its bc-python-hcl2 installs the same `hcl2` module as python-hcl2): .venv-infra and
# .venv-checkov.

INFRA_VENV ?= .venv-infra
CHECKOV_VENV ?= .venv-checkov
TF_DIR := infra/terraform
# Where `terraform apply` runs and its outputs are read.
TF_DEPLOY_DIR := $(TF_DIR)/examples/simple

.PHONY: build tf-check tf-docs infra-venv set-webhook bench-deployed

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

tf-check: infra-venv  ## terraform fmt, checkov, provider schema, wiring and README checks of infra/terraform
	$(INFRA_VENV)/bin/python -m tools.tf.check --dir $(TF_DIR) --checkov $(CHECKOV_VENV)/bin/checkov

tf-docs: $(INFRA_VENV)/.installed  ## regenerate the Inputs/Outputs tables of infra/terraform/README.md
	$(INFRA_VENV)/bin/python -m tools.tf.docs --dir $(TF_DIR) --write

set-webhook: venv  ## register the deployed webhook with Telegram (needs TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET)
	$(PY) -m tools.set_webhook --tf-dir $(TF_DEPLOY_DIR)

bench-deployed: venv  ## the concurrency benchmark against a deployment (PROJECT= REGION= CHAT_ID= [SIZES=1,5,20] YES=1)
	$(PY) -m tools.bench_deployed --tf-dir $(TF_DEPLOY_DIR) $(if $(PROJECT),--project $(PROJECT)) \
		$(if $(REGION),--region $(REGION)) $(if $(CHAT_ID),--chat-id $(CHAT_ID)) \
		$(if $(SIZES),--sizes $(SIZES)) $(if $(YES),--yes)
