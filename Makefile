# make run: the demo dashboard on http://127.0.0.1:8050 (fresh machine: creates .venv first)
# make serve: the production server (gunicorn, gunicorn.conf.py); set DRS_CAPACITY_MODE
#   (aws | demo | scenario) unless AWS credentials are there: DRS_CAPACITY_MODE=demo make serve
# make test: everything the tests need (Chromium included), then the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test lint format bench screenshot browser-deps redis-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# the demo fleet by default, even where AWS credentials exist: make run RUN_ARGS=--aws
RUN_ARGS ?= --demo
run: $(VENV)/.runtime
	$(BIN)/python app.py $(RUN_ARGS)

serve: $(VENV)/.runtime
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:server'

browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; }

# the shared-cache tests start a real redis-server (Debian's), as the browser tests Chromium
redis-deps:
	@command -v redis-server >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; }

test: $(VENV)/.dev browser-deps redis-deps
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint deploy/*.yaml

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# a few minutes on 2 cores; rewrites the README's Performance section
BENCH_OUT ?= $${TMPDIR:-/tmp}/drs-bench
bench: $(VENV)/.dev
	mkdir -p $(BENCH_OUT)
	$(BIN)/python benchmarks/collect.py --json $(BENCH_OUT)/collect.json
	$(BIN)/python benchmarks/poll.py --json $(BENCH_OUT)/poll.json
	$(BIN)/python benchmarks/readme.py $(BENCH_OUT)/collect.json $(BENCH_OUT)/poll.json

screenshot: $(VENV)/.dev browser-deps
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
