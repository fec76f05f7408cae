# ReformWatch — every command a user needs, from a fresh machine with Python 3.11, pip, make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DBT_ARGS := --project-dir dbt_project --profiles-dir dbt_project

# The data directory as orchestration/settings.py finds it: REFORMWATCH_DATA_DIR, else data/.
RUN_DATA_DIR := $(or $(REFORMWATCH_DATA_DIR),$(CURDIR)/data)

export DAGSTER_HOME := $(CURDIR)
# Dagster's runs and event log beside the warehouse they describe: shared between data
# directories, a run in one compared its inputs with the other's last build and rebuilt.
export REFORMWATCH_DAGSTER_STORAGE := $(RUN_DATA_DIR)/dagster
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# Simulation size for `make run` (see `reformwatch simulate --help`).
SEED ?= 20250701
PROVINCES ?= 34
MONTHS ?= 24
SCALE ?= 0.1

.PHONY: setup setup-spark run simulate materialize docs ui test test-fast test-spark bench bench-100m lint format docs-dictionary docs-criteria clean help

help:
	@echo "make run    set up, simulate the sources, materialise every asset, print outputs"
	@echo "           FULL_REFRESH=1 rebuilds all of history; REBUILD_MONTHS=2025-09,2025-10 rebuilds those months"
	@echo "make test   set up and run the test suite (what CI runs)"
	@echo "make setup-spark  add the Spark engine's extras (REFORMWATCH_ENGINE=spark; needs Java 17)"
	@echo "make ui     Dagster UI on http://127.0.0.1:3000 (same code location)"
	@echo "make bench  speed and memory benchmark (default and 10x sizes; BENCH_SIZES=0.02 for a small one)"
	@echo "make bench-100m  the national-scale benchmark, ~100 M events (not in CI)"
	@echo "make lint   ruff check, ruff format --check, sqlfluff lint of the dbt models (CI runs it)"
	@echo "make format ruff format and sqlfluff fix: rewrite the tree in the project's style"
	@echo "make docs-dictionary  regenerate docs/data_dictionary.md from the dbt YAML"
	@echo "make docs   dbt docs (every model, column, test, lineage) into data/reports/dbt_docs/"
	@echo "make docs-criteria    regenerate docs/operating_quality_criteria.md from its seed"

setup: $(INSTALLED)

# Locked, registry-only install; reruns only when the lock or the project changes.
$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# The Spark engine's extras, kept out of the default install (~450 MB); the Spark test group
# (tests/test_spark_equality.py) installs them itself when they are missing.
SPARK_INSTALLED := $(VENV)/.installed-spark
setup-spark: $(SPARK_INSTALLED)

$(SPARK_INSTALLED): $(INSTALLED) requirements-spark.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $@

dbt_project/target/manifest.json: $(INSTALLED) $(shell find dbt_project/models dbt_project/macros dbt_project/dbt_project.yml seeds -type f 2>/dev/null)
	REFORMWATCH_WAREHOUSE=$${REFORMWATCH_WAREHOUSE:-$(CURDIR)/data/warehouse/reformwatch.duckdb} \
		$(BIN)/dbt parse $(DBT_ARGS) --quiet
	@touch $@

simulate: $(INSTALLED)
	$(BIN)/reformwatch simulate --seed $(SEED) --provinces $(PROVINCES) --months $(MONTHS) --scale $(SCALE)

# The full Dagster log goes to data/logs/run-<time>.log; the terminal gets the summary.
RUN_LOGS = $(RUN_DATA_DIR)/logs

# `make run FULL_REFRESH=1` rebuilds every month of the incremental models, not only the
# months whose files changed since the last build. `make run REBUILD_MONTHS=2025-09,2025-10`
# rebuilds those months too, even with nothing new (run config `rebuild_months`; a bad
# month stops the dbt step, named).
FULL_REFRESH ?=
REBUILD_MONTHS ?=
comma := ,
space := $(subst ,, )
REBUILD_MONTHS_JSON = ["$(subst $(comma),"$(comma)",$(subst $(space),,$(strip $(REBUILD_MONTHS))))"]
DBT_CONFIG_FIELDS = $(if $(FULL_REFRESH),"full_refresh": true)$(if $(and $(FULL_REFRESH),$(REBUILD_MONTHS)),$(comma) )$(if $(REBUILD_MONTHS),"rebuild_months": $(REBUILD_MONTHS_JSON))
DBT_RUN_CONFIG = $(if $(FULL_REFRESH)$(REBUILD_MONTHS),--config-json '{"ops": {"reformwatch_dbt": {"config": {$(DBT_CONFIG_FIELDS)}}}}')

# REFORMWATCH_ENGINE=spark: dbt builds on Spark and the graph runs through the quality gate;
# the reports and the BI copy read DuckDB's marts and are left out (docs/spark.md). Every
# seed and model is selected, not only the gate's upstream: their tests read the others.
ON_SPARK := $(filter spark,$(REFORMWATCH_ENGINE))
SELECTION := $(if $(ON_SPARK),not group:reports and not group:bi,*)

materialize: $(INSTALLED) $(if $(ON_SPARK),$(SPARK_INSTALLED)) dbt_project/target/manifest.json
	@mkdir -p $(RUN_LOGS); log=$(RUN_LOGS)/run-$$(date -u +%Y%m%dT%H%M%SZ).log; \
	echo "materialising $(if $(ON_SPARK),up to the quality gate on Spark,every asset) (full log: $$log) ..."; \
	$(BIN)/dagster asset materialize --select '$(SELECTION)' -m orchestration.definitions $(DBT_RUN_CONFIG) > $$log 2>&1; \
	status=$$?; $(BIN)/python -m orchestration.run_summary --log $$log; \
	$(BIN)/reformwatch where; exit $$status

# in the data directory in use: under another REFORMWATCH_DATA_DIR, a fixed data/ path never
# existed, and every `make run` rebuilt the docs (~70 s of a run with nothing new)
DBT_DOCS = $(RUN_DATA_DIR)/reports/dbt_docs/index.html
run: simulate materialize $(if $(ON_SPARK),,$(DBT_DOCS))

# dbt's documentation as one offline page in the report site, linked from its index; the
# column types come from the warehouse (run it when no pipeline run holds the file).
# `make docs` always rebuilds it; `make run` only when the dbt project changed (~70 s), so a
# run with nothing new stays short.
docs: $(INSTALLED)
	$(BIN)/python scripts/build_dbt_docs.py

$(DBT_DOCS): dbt_project/target/manifest.json
	$(BIN)/python scripts/build_dbt_docs.py

# `dagster dev` re-parses the dbt project at load and looks `dbt` up on PATH.
ui: $(INSTALLED) dbt_project/target/manifest.json
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m orchestration.definitions

test: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python -m pytest -q

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -q -m "not slow and not chaos and not spark"

# The Spark-versus-DuckDB equality group alone (`make test` runs it too).
test-spark: $(SPARK_INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python -m pytest -q -m spark

# BENCH_SIZES: comma-separated --scale values (default: the make-run size and 10x);
# BENCH_ARGS: more options, e.g. "--provinces 2 --months 3" for a quick look.
BENCH_SIZES ?= 0.1,1.0

bench: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python scripts/bench.py --scales $(BENCH_SIZES) $(BENCH_ARGS)

# National scale for several months (~100 M events): not in CI, a quiet machine with 24 GB.
bench-100m: $(INSTALLED) dbt_project/target/manifest.json
	$(BIN)/python scripts/bench.py --scales 7.0

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

docs-criteria: $(INSTALLED)
	$(BIN)/python scripts/build_criteria_doc.py

clean:
	rm -rf data dbt_project/target dbt_project/logs
