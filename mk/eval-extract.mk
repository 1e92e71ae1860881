# The offline engine's accuracy on receipts named MERCHANT_DDMMYYYY_NUMITEMS_TOTALCENTS.jpg.

.PHONY: eval-extract
eval-extract: venv system-deps  ## offline OCR engine: per-field accuracy on RECEIPTS_DIR (default ../shared/receipts/dev)
	RECEIPTS_DIR="$(RECEIPTS_DIR)" $(PY) -m tools.eval_extract
