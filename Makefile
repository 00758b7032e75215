# FlowChat: `make dev` runs everything locally, `make test` passes the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_TESTS := tests/node/node_modules/.package-lock.json
WEB_MODULES := web/node_modules/.package-lock.json
# Browser tests drive Debian's Chromium (npm's browser downloads cannot work offline).
CHROMIUM := /usr/bin/chromium

.PHONY: setup dev test bench lint migrate clean

setup: $(STAMP) $(NODE_TESTS) $(WEB_MODULES) $(CHROMIUM)

$(STAMP): pyproject.toml functions/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r functions/requirements.txt -e .
	touch $(STAMP)

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The Firebase JS SDK and browser tooling the Python tests drive (tests/node).
$(NODE_TESTS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

# The web client's own packages.
$(WEB_MODULES): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

dev: setup
	$(PY) -m tools.dev

migrate: setup
	$(PY) -m tools.migrate

# pytest exits 5 when it collects nothing; that is not a failure of the code under test.
# Then the web client: type check, unit tests (Vitest), browser tests against the real stack.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc
	npm run --prefix web --silent typecheck
	npm test --prefix web --silent
	npm run --prefix web --silent e2e

bench: setup
	$(PY) -m benchmarks

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf .flowchat .pytest_cache .ruff_cache
