"""Shared fixtures: every test gets its own data directory and warehouse under tmp_path."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from orchestration.ingest.sources import catalogued_procedures
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, dbt_command, load_settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """No test touches data/ in the checkout: code that reads the environment (the CLI, the
    simulator) sees a data directory under tmp_path, as a user's shell would set it."""
    monkeypatch.setenv("REFORMWATCH_DATA_DIR", str(tmp_path / "data"))
    for derived in ("REFORMWATCH_WAREHOUSE", "REFORMWATCH_TMP_DIR"):  # follow the data dir
        monkeypatch.delenv(derived, raising=False)


@pytest.fixture
def warehouse_resource(tmp_path) -> WarehouseResource:
    """The Dagster warehouse resource on this test's own data directory."""
    return WarehouseResource(data_dir=str(tmp_path / "data"))


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> Path:
    """`dbt parse` once per session, so the Dagster definitions load the current models.
    Parsing opens no database; the profile still needs a warehouse path to render."""
    parse_only = tmp_path_factory.mktemp("dbt-parse") / "parse-only.duckdb"
    subprocess.run(
        dbt_command(
            "parse", "--quiet", "--vars", json.dumps({"reformwatch_warehouse": str(parse_only)})
        ),
        check=True,
        cwd=REPO,
    )
    return DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture
def settings():
    """The settings a user's shell would give, under tmp_path (see isolated_data)."""
    return load_settings()


@pytest.fixture
def procedure() -> str:
    """A catalogued procedure code, for hand-made landing rows."""
    return sorted(catalogued_procedures())[0]
