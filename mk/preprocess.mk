# Preprocessing (issue 3): does it bring phone photos back to scan quality, and how fast is it.

.PHONY: eval-preprocess bench-preprocess
eval-preprocess: venv system-deps  ## OCR accuracy on scans, raw phone photos and preprocessed photos (RECEIPTS_DIR=...)
	RECEIPTS_DIR=$(RECEIPTS_DIR) $(PY) -m tools.eval_preprocess

bench-preprocess: venv  ## prepare() time per 12 MP and 1280 px photo on one core, peak memory on a 20 MB upload
	RECEIPTS_DIR=$(RECEIPTS_DIR) $(PY) -m tools.bench_preprocess
