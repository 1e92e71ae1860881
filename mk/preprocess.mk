# Preprocessing (issue 3): does it bring phone photos back to scan quality, and how fast is it.

.PHONY: eval-preprocess bench-preprocess
# Like make eval: RECEIPTS_DIR given on the command line or in the environment names one set,
# else every set of ../shared/receipts/ (EVAL_DIR is mk/eval.mk's).
eval-preprocess: venv system-deps  ## OCR on originals, raw and preprocessed phone photos of every set (RECEIPTS_DIR=<one set>)
	RECEIPTS_DIR="$(EVAL_DIR)" $(PY) -m tools.eval_preprocess

bench-preprocess: venv  ## prepare() time per 12 MP and 1280 px photo on one core, peak memory on a 20 MB upload
	RECEIPTS_DIR=$(RECEIPTS_DIR) $(PY) -m tools.bench_preprocess
