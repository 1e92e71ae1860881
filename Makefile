# The two commands a newcomer needs: `make demo` and `make test`. Each installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# The shared receipt scans the evaluations and benchmarks read (make eval-extract RECEIPTS_DIR=...).
RECEIPTS_DIR ?= ../shared/receipts/dev
INSTALLED := $(VENV)/.installed
REQUIREMENTS := pyproject.toml requirements-dev.txt $(wildcard functions/*/requirements.txt)

.DEFAULT_GOAL := help
.PHONY: help venv system-deps demo tour test test-unit dev send lint format

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(INSTALLED): $(REQUIREMENTS)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -e .  # receiptbot, devstack, tools importable
	touch $@

venv: $(INSTALLED)  ## the virtual environment, from the pinned requirements

system-deps:  ## Debian packages (Tesseract), Java and the Pub/Sub emulator
	@tools/install_system_deps.sh

demo: venv system-deps  ## the whole pipeline on the local stack: a real receipt in, the answer out (PHOTO=path)
	$(PY) -m devstack demo $(if $(PHOTO),--photo "$(PHOTO)") $(if $(ENGINE),--engine $(ENGINE))

tour: venv system-deps  ## one user through records on the local stack: month, fixes, categories, duplicates, export, delete
	$(PY) -m devstack tour

test: venv system-deps lint  ## every test: lint, unit, the local stack, Terraform checks
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: venv system-deps  ## the fast in-process layer (tests/unit): no emulator, no function process
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

dev: venv system-deps  ## run the local stack in the foreground; Ctrl-C stops all of it
	$(PY) -m devstack dev $(if $(ENGINE),--engine $(ENGINE))

send: venv  ## play a user: send PHOTO to the running `make dev` stack and print the answer
	$(PY) -m devstack send $(if $(PHOTO),--photo "$(PHOTO)")

lint: venv  ## ruff (lint, format) and import-linter (the design's import rules, in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo --no-cache

format: venv  ## ruff: fix what can be fixed and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

-include mk/*.mk
