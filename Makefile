# ReformWatch — every command a user needs, from a fresh machine with Python 3.11, pip, make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DBT_ARGS := --project-dir dbt_project --profiles-dir dbt_project

export DAGSTER_HOME := $(CURDIR)
export REFORMWATCH_DAGSTER_STORAGE := $(CURDIR)/data/dagster
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# Simulation size for `make run` (see `reformwatch simulate --help`).
SEED ?= 20250701
PROVINCES ?= 34
MONTHS ?= 24
SCALE ?= 0.1

.PHONY: setup run simulate materialize ui test test-fast bench lint format docs-dictionary clean help

help:
	@echo "make run    set up, simulate the sources, materialise every asset, print outputs"
	@echo "make test   set up and run the test suite (what CI runs)"
	@echo "make ui     Dagster UI on http://127.0.0.1:3000 (same code location)"
	@echo "make bench  speed and memory benchmark (default and 10x sizes)"
	@echo "make lint   ruff check, ruff format --check, sqlfluff lint of the dbt models (CI runs it)"
	@echo "make format ruff format and sqlfluff fix: rewrite the tree in the project's style"
	@echo "make docs-dictionary  regenerate docs/data_dictionary.md from the dbt YAML"

setup: $(INSTALLED)

# Locked, registry-only install; reruns only when the lock or the project changes.
$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

dbt_project/target/manifest.json: $(INSTALLED) $(shell find dbt_project/models dbt_project/macros dbt_project/dbt_project.yml seeds -type f 2>/dev/null)
	REFORMWATCH_WAREHOUSE=$${REFORMWATCH_WAREHOUSE:-$(CURDIR)/data/warehouse/reformwatch.duckdb} \
		$(BIN)/dbt parse $(DBT_ARGS) --quiet
	@touch $@

simulate: $(INSTALLED)
	$(BIN)/reformwatch simulate --seed $(SEED) --provinces $(PROVINCES) --months $(MONTHS) --scale $(SCALE)

materialize: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/dagster asset materialize --select '*' -m orchestration.definitions
	@$(BIN)/reformwatch where

run: simulate materialize

# `dagster dev` re-parses the dbt project at load and looks `dbt` up on PATH.
ui: $(INSTALLED) dbt_project/target/manifest.json
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m orchestration.definitions

test: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python -m pytest -q

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python scripts/bench.py

# SQL style: .sqlfluff (jinja templater; dbt's context for it in dbt_project/sqlfluff_library).
SQL_MODELS := dbt_project/models
SQLFLUFF_ARGS := --processes 2 --disable-progress-bar

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint $(SQL_MODELS) $(SQLFLUFF_ARGS)

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix $(SQL_MODELS) $(SQLFLUFF_ARGS)

# The data dictionary is generated from the dbt YAML; tests/test_docs.py fails when it is stale.
docs-dictionary: $(INSTALLED)
	$(BIN)/python scripts/build_data_dictionary.py

clean:
	rm -rf data dbt_project/target dbt_project/logs
