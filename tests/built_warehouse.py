"""A simulated warehouse for the slow recovery tests (test_before_after.py,
test_operating_quality.py, test_slow_stages.py): landing files written by the simulator with
no faults, then ingest and dbt build run as `make run` runs them (reports, the BI copy and
the quality gates left out). Each module passes its own size."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.cli import main as reformwatch
from orchestration.resources import WarehouseResource
from simulator import MANIFEST_NAME

LEFT_OUT = ("reports", "bi", "quality")


def simulate_landing(data: Path, provinces: str, months: int, scale: float) -> Path:
    """Simulate into `data`/landing and return that folder."""
    landing = data / "landing"
    args = ["simulate", "--provinces", provinces, "--months", str(months)]
    args += ["--scale", str(scale), "--no-faults", "--out", str(landing)]
    assert reformwatch(args) == 0
    return landing


def build_warehouse(data: Path) -> tuple[Path, dict]:
    """Ingest `data`/landing and build every asset but those LEFT_OUT; the warehouse's path
    and the simulator's manifest."""
    warehouse = WarehouseResource(data_dir=str(data))
    from orchestration.definitions import build_definitions

    definitions = build_definitions(warehouse)
    selection = [key for key in definitions.resolve_all_asset_keys() if key.path[0] not in LEFT_OUT]
    result = definitions.resolve_job_def("reformwatch_all").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection
    )
    assert result.success
    manifest = json.loads((data / "landing" / MANIFEST_NAME).read_text(encoding="utf-8"))
    return warehouse.settings.warehouse, manifest


def simulated_warehouse(data: Path, provinces: str, months: int, scale: float) -> tuple[Path, dict]:
    """Simulate then build: the warehouse's path and the simulator's manifest."""
    simulate_landing(data, provinces, months, scale)
    return build_warehouse(data)


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()
