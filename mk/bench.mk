# The concurrency benchmark (issue 7): N receipts at once against a sequential baseline.
BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): requirements-bench.txt $(INSTALLED)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-bench.txt
	touch $@

.PHONY: bench
bench: system-deps $(BENCH_INSTALLED)  ## concurrency benchmark: N receipts at once vs one at a time (BENCH_LATENCY=3.0)
	$(PY) -m tools.bench $(if $(BENCH_LATENCY),--latency $(BENCH_LATENCY))

.PHONY: bench-month
bench-month: system-deps venv  ## /month for a chat with 2,000 receipts on the local stack: p50/p95 through the webhook
	$(PY) -m tools.bench_month
