# treatygraph — one entry point for people and CI.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
CORPUS  ?= corpus
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: help run install install-test system-deps assets build serve test lint typecheck bench \
	clean reliability wheel

## Print the targets (the default).
help:
	@awk '/^## /{if(doc=="")doc=substr($$0,4); next} /^[a-z-]+:/{if(doc!=""){split($$0,a,":"); \
		printf "  make %-12s %s\n", a[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The editable install is a tree of links (setuptools' strict mode): mypy and the tests see the
# package `treatygraph` as a user's install does. A new module needs `make install` again.
EDITABLE := --config-settings editable_mode=strict

## Install the package (editable) into .venv.
install: $(BIN)/python assets
	$(BIN)/pip install -q -e . $(EDITABLE)

install-test: $(BIN)/python assets
	$(BIN)/pip install -q -e '.[test]' $(EDITABLE)

## The main job: install, build the graph from the corpus, serve it on the embedded store.
run: install
	$(BIN)/treatygraph serve --host $(HOST) --port $(PORT) $(CORPUS)

## Build the graph from the corpus into dist/ and the store (data/store).
build: install
	$(BIN)/treatygraph build $(CORPUS)

## Debian packages the tests need (Chromium, npm, Virtuoso); installed only when missing.
system-deps:
	bash .ci/system-deps.sh

## Front-end assets from the npm registry (YASGUI, Cytoscape.js), when npm is here.
assets:
	@if command -v npm >/dev/null 2>&1; then bash web/build.sh; else \
		echo "npm not found: the pages answer without YASGUI and Cytoscape.js (see README)"; fi

## A wheel in dist-wheel/, front-end assets inside (npm needed once, here).
wheel: $(BIN)/python assets
	$(BIN)/pip wheel -q --no-deps -w dist-wheel .

## The test suite, from a fresh machine: install, lint, type-check, test.
test: system-deps install-test
	$(BIN)/ruff check graph api tests
	$(BIN)/ruff format --check graph api tests
	$(BIN)/mypy
	$(BIN)/pytest -q

## Lint and type-check only.
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
		--timeout 900 tests/test_parse_properties.py tests/test_path_params.py tests/reliability

## Remove what builds and runs leave behind.
clean:
	rm -rf dist data build dist-wheel .pytest_cache .mypy_cache .ruff_cache
