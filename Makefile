# The two commands of the README: `make run` and `make test`. Everything else is a step of them.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
INDEX   ?= index
HOST    ?= 127.0.0.1
PORT    ?= 7860
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test install index lint browser bench clean

# Re-install only when pyproject.toml changes. torch is pinned to the CPU build first:
# pip takes torch==2.13.0 from a local file; an unpinned torch would pull multi-GB CUDA wheels.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[eval,test]"
	touch $(STAMP)

install: $(STAMP)

# Build index/ from seeds/ when missing or stale (unchanged seeds re-embed nothing and write nothing);
# an index that cannot be read or was built with other settings is rebuilt.
index: install
	$(BIN)/rag ingest seeds/ --index $(INDEX) --quiet || $(BIN)/rag ingest seeds/ --index $(INDEX) --quiet --rebuild

run: index
	$(BIN)/python app.py --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's chromium for the browser tests (never a browser download).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium: sudo apt-get install -y chromium" >&2; exit 1; fi; }

lint: install
	$(BIN)/ruff check rag tests app.py eval

# Two runs, each with its own summary: tests/unit (fast: no model, no browser) and tests/integration +
# tests/browser (the real model, the CLI, app.py, chromium). Both always run; either failing fails the target.
# pytest exits 5 when it collected no test: that is a failure here, never a silent pass.
# The unit tests (one process, ~21 s of CPU) run beside the integration + browser tests (two workers, a test
# file kept on one worker by --dist loadfile so a module's fixtures are built once), which leave part of the two
# cores idle while browsers and servers answer; the unit summary is printed after theirs.
PYTEST_RUN = echo "== pytest $(1)"; $(BIN)/python -m pytest -q $(2) --durations=8 $(1); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests ran in $(1)" >&2; rc=1; fi

test: install browser lint
	@log=$$(mktemp); ( $(call PYTEST_RUN,tests/unit,-p no:xdist); exit $$rc ) > $$log 2>&1 & upid=$$!; \
	$(call PYTEST_RUN,tests/integration tests/browser,-n 2 --dist loadfile); slow=$$rc; \
	wait $$upid; unit=$$?; cat $$log; rm -f $$log; \
	echo "== unit: exit $$unit; integration + browser: exit $$slow"; \
	[ $$unit -eq 0 ] && [ $$slow -eq 0 ]

bench: install
	$(BIN)/python eval/bench.py

clean:
	rm -rf $(VENV) .cache .pytest_cache

# Fetch the ministry's new press-conference transcripts into data/ and add them to $(INDEX) (`rag sync`:
# polite, 1 request/s, resumable; README "Keeping the index current"). Exit 0 only when nothing failed.
# Extra options go in SYNC_ARGS, e.g. `make sync SYNC_ARGS="--lang en --max-pages 20"`.
.PHONY: sync
DATA      ?= data
SYNC_ARGS ?=
sync: index
	$(BIN)/rag sync --data $(DATA) --index $(INDEX) $(SYNC_ARGS)
