# Reading accuracy on every receipt set: the pipeline's preparation and QR, the offline engine, validation.

.PHONY: eval
# RECEIPTS_DIR defaults to the dev set for the other targets; given on the command line or in the
# environment it names one folder here, else every set of ../shared/receipts/ is evaluated.
EVAL_DIR = $(if $(filter file,$(origin RECEIPTS_DIR)),../shared/receipts,$(RECEIPTS_DIR))

eval: venv system-deps  ## total/date/merchant/currency/QR per receipt set (RECEIPTS_DIR=<one set>, EVAL_OUT=<file.tsv>)
	RECEIPTS_DIR="$(EVAL_DIR)" EVAL_OUT="$(EVAL_OUT)" $(PY) -m tools.eval

.PHONY: eval-text
eval-text: venv  ## the parser alone on transcribed receipts not in ../shared (TEXT_DIR=<SROIE box files + truth.tsv>)
	TEXT_DIR="$(TEXT_DIR)" $(PY) -m tools.eval_text
