# MotCua — two commands: `make run` starts everything with demo data, `make test` runs the whole suite.
# Works on a fresh Debian machine with python3, make and apt-get (system packages are installed
# when running as root; otherwise the script says what to install).

SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.8
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PROJECT_ENVIRONMENT := $(VENV)
export PORT

.PHONY: setup run test lint test-python system-deps clean help

help:
	@echo "make run    – start MotCua with demo data on http://127.0.0.1:$(PORT)/"
	@echo "make test   – set up and run the whole test suite (lint, unit, API, browser)"
	@echo "make setup  – create .venv and install everything, start nothing"

setup: system-deps $(VENV)/.installed node_modules/.installed var/.messages

system-deps:
	@bash scripts/system-deps.sh

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

# JavaScript/CSS libraries (htmx) and test tools (axe-core) come from the npm registry, pinned.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

# Compiled translations are build output, made from the committed .po files.
var/.messages: $(VENV)/.installed $(wildcard src/motcua/locale/*/LC_MESSAGES/*.po)
	@mkdir -p var
	$(PY) manage.py compilemessages --verbosity 0
	@touch $@

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --with-dossiers
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) scripts/run.py --port $(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy src/motcua/core src/motcua/directory src/motcua/accounts src/motcua/catalog \
		src/motcua/dossiers src/motcua/payments src/motcua/signing src/motcua/integrations src/motcua/notifications

test-python: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --dist loadgroup

test: lint test-python

clean:
	rm -rf $(VENV) .tools var test-artifacts node_modules
