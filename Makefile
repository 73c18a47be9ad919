# The two commands of the README. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Install, create or upgrade the SQLite database with demo data, serve on :5000.
run: install
	$(BIN)/bangban init --demo
	$(BIN)/bangban run

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Install with the test tools, then lint, type-check and run every test.
test: install-test lint
	$(BIN)/pytest -n auto
