# FlowChat: `make dev` runs everything locally, `make test` passes the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_TESTS := tests/node/node_modules/.package-lock.json
WEB_MODULES := web/node_modules/.package-lock.json
WEB_LINT_MODULES := web/lint/node_modules/.package-lock.json
# firebase-tools analyses functions/ by running the SDK inside functions/venv with the
# runtime's own interpreter (python3.11 for "python311" in firebase.json).
FUNCTIONS_VENV := functions/venv/.installed
# Browser tests drive Debian's Chromium (npm's browser downloads cannot work offline).
CHROMIUM := /usr/bin/chromium

.PHONY: setup dev test bench lint migrate deploy reset clean

setup: $(STAMP) $(NODE_TESTS) $(WEB_MODULES) $(WEB_LINT_MODULES) $(CHROMIUM)

$(STAMP): pyproject.toml functions/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r functions/requirements.txt -e .
	touch $(STAMP)

$(FUNCTIONS_VENV): functions/requirements.txt
	@command -v python3.11 >/dev/null || { echo "python3.11 is needed for functions/venv (runtime python311 in firebase.json)"; exit 1; }
	test -x functions/venv/bin/python3.11 || python3.11 -m venv functions/venv
	functions/venv/bin/python -m pip install --quiet --upgrade pip
	functions/venv/bin/python -m pip install --quiet -r functions/requirements.txt
	touch $@

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The Firebase JS SDK and browser tooling the Python tests drive (tests/node).
$(NODE_TESTS): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

# The web client's own packages.
$(WEB_MODULES): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error

# ESLint and Prettier for the web client (a package of their own: see web/lint/package.json).
$(WEB_LINT_MODULES): web/lint/package.json web/lint/package-lock.json
	npm ci --prefix web/lint --no-audit --no-fund --loglevel=error

# The emulators keep their state in .flowchat/emulators; DEV_ARGS go to
# `python -m emulators start` (e.g. DEV_ARGS="--import ./seed --export-on-exit").
dev: setup
	$(PY) -m tools.dev $(DEV_ARGS)

# Deletes the local state (emulator data, embedded PostgreSQL), saying what goes; asks
# first only at a terminal. RESET_ARGS=--yes skips the question.
reset:
	python3 -m tools.reset $(RESET_ARGS)

migrate: setup
	$(PY) -m tools.migrate

# make deploy PROJECT=<id or alias> with DATABASE_URL=<direct URL of the production database>
deploy: $(STAMP) $(NODE_TESTS) $(FUNCTIONS_VENV)
	$(PY) -m tools.deploy --project "$(PROJECT)" $(DEPLOY_ARGS)

# pytest exits 5 when it collects nothing; that is not a failure of the code under test.
# Then the web client: type check, unit tests (Vitest), browser tests against the real stack.
test: setup $(FUNCTIONS_VENV)
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc
	npm run --prefix web --silent typecheck
	npm test --prefix web --silent
	npm run --prefix web --silent e2e

bench: setup
	$(PY) -m benchmarks

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	npm run --prefix web --silent lint
	npm run --prefix web --silent format:check

clean:
	rm -rf .flowchat .pytest_cache .ruff_cache
