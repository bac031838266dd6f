# `make run` and `make test` work on a fresh machine: each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy workflows storage adapters bot

unit: $(STAMP) browser
	$(BIN)/python -m pytest

browser:
	@bash scripts/ensure-browser.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/storage.py
	$(BIN)/python benchmarks/slack_ack.py
	$(BIN)/python benchmarks/teams.py
	$(BIN)/python benchmarks/burst.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
