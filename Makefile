# `make run` and `make test` work on a fresh machine: each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit browser postgres soak bench clean

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

unit: $(STAMP) browser postgres
	$(BIN)/python -m pytest

browser:
	@bash scripts/ensure-browser.sh

postgres:
	@bash scripts/ensure-postgres.sh

# The same suite with many more fuzzing examples and crash rounds; for a long local run.
soak: $(STAMP) browser postgres
	PAGEKEEPER_SOAK=1 $(BIN)/python -m pytest tests/test_hostile_input.py tests/test_http_reliability.py tests/test_tinydb_durability.py
	# The red team's findings, five times over (races and timing show up on repeats).
	for round in 1 2 3 4 5; do \
		$(BIN)/python -m pytest -q tests/test_red_team_*.py tests/test_dispatcher.py tests/test_several_processes.py || exit 1; \
	done

bench: $(STAMP) postgres
	$(BIN)/python benchmarks/storage.py
	$(BIN)/python benchmarks/slack_ack.py
	$(BIN)/python benchmarks/teams.py
	$(BIN)/python benchmarks/burst.py
	$(BIN)/python benchmarks/large_district.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/web.py
	$(BIN)/python benchmarks/flow.py
	# The event-loop lag over 10,000 flows on TinyDB (about 53 minutes, held to Slack's pace).
	$(BIN)/python benchmarks/flow.py --only tinydb --flows 10000
	$(BIN)/python -m benchmarks.hostile_form

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
