# Reliability: replaying dead-lettered receipts, and the load run.
.PHONY: replay load

replay: venv  ## send the dead-lettered receipts (failed/ in the raw bucket) through the pipeline again
	$(PY) -m tools.replay

load: venv system-deps  ## UPDATES=N updates (default 200) from N/10 chats, 10% sent twice, every tenth chat over a cap of 12: lost=0 duplicated=0 told_once=capped_chats
	$(PY) -m tools.load
