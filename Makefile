# treatygraph — one entry point for people and CI.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
CORPUS  ?= corpus
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run install install-test system-deps assets build serve test lint typecheck bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

## The main job: install, build the graph from the corpus, serve it on the embedded store.
run: install system-deps assets
	$(BIN)/treatygraph serve --host $(HOST) --port $(PORT) $(CORPUS)

build: install
	$(BIN)/treatygraph build $(CORPUS)

## Debian packages the tests need (Chromium, npm); installed only when missing.
system-deps:
	bash .ci/system-deps.sh

## Front-end assets from the npm registry (YASGUI, Cytoscape.js), served from our own origin.
assets:
	bash web/build.sh

## The test suite, from a fresh machine: install, lint, type-check, test.
test: install-test system-deps assets
	$(BIN)/ruff check graph api tests
	$(BIN)/ruff format --check graph api tests
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/ruff check graph api tests
	$(BIN)/mypy

## Benchmarks into docs/benchmarks.md (+ .json, plots): some 15 minutes, loopback only, bounded
## load; wrk from Debian when it can be installed, else a Python load generator.
## BENCH_ARGS="--sizes 100,1000 --only build" runs a part (python -m bench --help).
bench: install-test
	$(BIN)/pip install -q -e '.[test,bench]'
	command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk || true
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf dist data .pytest_cache .mypy_cache .ruff_cache
