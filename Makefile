# treatygraph — one entry point for people and CI.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
CORPUS  ?= corpus
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run install install-test system-deps assets build serve test lint typecheck bench clean reliability

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

## Reliability (docs/reliability.md): the reader's property tests with many examples, the
## SPARQL fuzzer, schemathesis, the build SIGKILLed, the remote store killed, restarts under
## load, broken stores, disk faults and 60 s loads; loopback only, some 12 minutes; ends
## with the summary table (also in test-artifacts/reliability/summary.md).
reliability: install-test
	TREATYGRAPH_RELIABILITY=1 TREATYGRAPH_PROPERTY_EXAMPLES=500 $(BIN)/pytest -q -rxX \
		--timeout 900 tests/test_parse_properties.py tests/reliability

clean:
	rm -rf dist data .pytest_cache .mypy_cache .ruff_cache
