"""Shared fixtures: every test gets its own data directory and warehouse under tmp_path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """No test touches data/ in the checkout: paths come from the environment."""
    monkeypatch.setenv("REFORMWATCH_DATA_DIR", str(tmp_path / "data"))
    for exported in ("REFORMWATCH_WAREHOUSE", "REFORMWATCH_TMP_DIR", "REFORMWATCH_MEMORY_LIMIT"):
        monkeypatch.delenv(exported, raising=False)  # export_for_dbt sets them: undo after
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`dbt parse` once per session, so the Dagster definitions load the current models."""
    env = os.environ | {"REFORMWATCH_WAREHOUSE": "/tmp/reformwatch-parse-only.duckdb"}
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "parse", "--quiet",
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        check=True, env=env, cwd=REPO,
    )
    return DBT_PROJECT_DIR / "target" / "manifest.json"
