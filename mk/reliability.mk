# Reliability: replaying dead-lettered receipts, and the load run.
.PHONY: replay load

replay: venv  ## send the dead-lettered receipts (failed/ in the raw bucket) through the pipeline again
	$(PY) -m tools.replay

load: venv system-deps  ## 200 updates from 50 chats in one burst (10% sent twice): lost=0 duplicated=0
	$(PY) -m tools.load
