# The two entry points: `make preview` (optionally STACK=prod) and `make test`.
# Both create .venv from the requirements files when it is missing or older than them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STACK ?= dev
REQUIREMENTS := requirements.txt requirements-dev.txt policies/requirements.txt

.PHONY: setup preview test lint typecheck unit bench verify docs diagram clean

setup: $(STAMP)

$(STAMP): $(REQUIREMENTS) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r policies/requirements.txt
	@# .venv/bin/preflight and .venv/bin/verify: the tools with their own exit codes (0/1/2).
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

preview: $(STAMP)
	$(PY) -m preflight preview --stack $(STACK)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/zizmor --offline --quiet --config .github/zizmor.yml .github/workflows

typecheck: $(STAMP)
	$(VENV)/bin/mypy .
	$(VENV)/bin/mypy policies/__main__.py

unit: $(STAMP)
	$(VENV)/bin/pytest -q -n 2

test: lint typecheck unit

bench: $(STAMP)
	$(PY) -m preflight.bench

verify: $(STAMP)
	$(PY) -m verify --stack $(STACK)

# Regenerate every generated block of README.md and docs/ (preflight's own output, its usage,
# the config reference) from the code as it is now; `diagram`: only README.md's prod drawing.
docs: $(STAMP)
	$(PY) -m scripts.update_docs

diagram: $(STAMP)
	$(PY) -m scripts.update_docs prod-diagram

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
