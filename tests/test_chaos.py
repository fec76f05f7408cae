"""Chaos: `kill -9` at each stage of a run (ingest, dbt, checks, reports, publication) on one
tiny simulation, and the invariants that must hold after each kill — the published copy
untouched, every file balanced (read = loaded + quarantined), no row in raw twice or missing,
no dbt left holding the warehouse — and that the next run recovers: each killed run first
redoes what the previous one lost, and a last run publishes everything exactly once.

Marked `chaos` (its own group: `pytest -m chaos`); `make test` runs it, `make test-fast`
does not. The worker is `tests/chaos_worker.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main as reformwatch
from orchestration.ingest.sources import SOURCES
from orchestration.resources import WarehouseResource

pytestmark = pytest.mark.chaos

# Each stage and the steps of the run killed there: ingest and dbt in whole runs (each first
# redoes what the run before lost); the later stages in runs of their own steps, so the test
# pays for two dbt builds (the first run's and the last one's), not five.
STAGES = {
    "ingest": "",
    "dbt": "",
    "checks": "great_expectations",
    "reports": "reports__service_delivery",
    "publication": "bi__published_warehouse",
}
WORKER = Path(__file__).with_name("chaos_worker.py")
RUN_TIMEOUT_S = 600
DBT_EXIT_WAIT_S = 20


def run_worker(data: Path, stage: str, ops: str = "") -> tuple[str, float]:
    """Run the whole job in a worker; kill it -9 when it reaches `stage`. Returns how the
    run ended (`killed`, `RUN-SUCCESS`, `RUN-FAILURE`) and its seconds."""
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(data), stage, ops],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=WORKER.parents[1],
        env=os.environ | {"REFORMWATCH_DATA_DIR": str(data)},
    )
    try:
        for line in worker.stdout:
            if line.startswith("KILL-ME"):
                worker.kill()  # SIGKILL: nothing in the worker runs after this
                worker.wait()
                return "killed", time.monotonic() - started
            if line.startswith("RUN-"):
                worker.wait(RUN_TIMEOUT_S)
                return line.strip(), time.monotonic() - started
        worker.wait(RUN_TIMEOUT_S)
        return f"exited {worker.returncode}", time.monotonic() - started
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def open_read_write(warehouse: WarehouseResource) -> duckdb.DuckDBPyConnection:
    """A read-write connection within seconds: no dbt outlived its killed run holding the
    lock (a run would otherwise wait for it)."""
    deadline = time.monotonic() + DBT_EXIT_WAIT_S
    while True:
        try:
            return duckdb.connect(str(warehouse.settings.warehouse))
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def assert_invariants(warehouse: WarehouseResource) -> None:
    with open_read_write(warehouse) as con:
        unbalanced = con.execute(
            "select path from audit.ingest_files where rows_read <> rows_loaded + rows_quarantined"
        ).fetchall()
        assert unbalanced == []
        twice = con.execute(
            "select path from audit.ingest_files group by file_id, path having count(*) > 1"
        ).fetchall()
        assert twice == []  # each file settled once, even when a run died settling it
        held = con.execute(
            """select f.path from audit.ingest_files f
            left join (select file_id, path, count(*) as n from audit.quarantine group by all) q
                using (file_id, path)
            where coalesce(q.n, 0) <> f.rows_quarantined"""
        ).fetchall()
        assert held == []
        for contract in SOURCES.values():
            table = f"raw.{contract.table}"
            rows, distinct = con.execute(
                f"select count(*), count(distinct (_file_id, _line_no)) from {table}"
            ).fetchone()
            assert rows == distinct, f"{table}: a row loaded twice"
            wrong = con.execute(
                f"""select f.path, f.rows_loaded, coalesce(r.n, 0) from audit.ingest_files f
                left join (select _file_id, count(*) as n from {table} group by all) r
                    on r._file_id = f.file_id
                where f.source = ? and f.status = 'loaded'
                  and coalesce(r.n, 0) <> case when exists (
                      select 1 from audit.file_corrections c where c.file_id = f.file_id)
                      then 0 else f.rows_loaded end""",
                [contract.name],
            ).fetchall()
            assert wrong == [], f"{table}: rows lost or kept against the ledger"


def deliver_correction(landing: Path) -> tuple[str, str]:
    """A re-sent procedure-log file without its last five lines: what ingest is killed
    settling. Returns the names of the original and of its correction."""
    original = sorted(p for p in (landing / "procedure_logs").iterdir() if p.name[0] != "_")[0]
    correction = original.with_name(f"{original.stem}_gui_lai{original.suffix}")
    lines = original.read_bytes().splitlines(keepends=True)
    correction.write_bytes(b"".join(lines[:-5]))
    return f"procedure_logs/{original.name}", f"procedure_logs/{correction.name}"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory, dbt_manifest) -> Path:
    data = tmp_path_factory.mktemp("chaos") / "data"
    reformwatch(
        [
            "simulate",
            "--provinces",
            "08",
            "--months",
            "2",
            "--scale",
            "0.02",
            "--seed",
            "7",
            "--out",
            str(data / "landing"),
            "--no-progress",
        ]
    )
    return data


def test_kill_9_at_each_stage_loses_nothing_and_the_next_run_recovers(simulated, capsys):
    data = simulated
    warehouse = WarehouseResource(data_dir=str(data))
    published = warehouse.published_warehouse
    timings = {}
    ended, timings["baseline"] = run_worker(data, "none")
    assert ended == "RUN-SUCCESS"
    first_published = digest(published)
    assert first_published is not None
    corrected, correction = deliver_correction(warehouse.landing_dir)

    for stage, ops in STAGES.items():
        before = digest(published)
        ended, timings[stage] = run_worker(data, stage, ops)
        assert ended == "killed", f"the run never reached {stage}: {ended}"
        assert digest(published) == before, f"kill at {stage} changed the published copy"
        assert_invariants(warehouse)

    ended, timings["recovery"] = run_worker(data, "none")
    assert ended == "RUN-SUCCESS"
    assert_invariants(warehouse)
    assert digest(published) != first_published  # the correction reached the BI copy
    assert not published.with_suffix(".tmp").exists()
    manifest = warehouse.landing_dir / "_simulation_manifest.json"
    expected = json.loads(manifest.read_text(encoding="utf-8"))["sources"]
    with duckdb.connect(str(published), read_only=True) as bi, open_read_write(warehouse) as con:
        [(superseded,)] = bi.execute(
            "select path from audit.file_corrections where action = 'superseded'"
        ).fetchall()
        assert superseded == corrected
        versions = dict(
            con.execute(
                "select path, rows_loaded from audit.ingest_files where path in (?, ?)",
                [corrected, correction],
            ).fetchall()
        )
        for name, contract in SOURCES.items():
            loaded = con.execute(f"select count(*) from raw.{contract.table}").fetchone()[0]
            want = expected[name]["loaded_rows"]
            if name == "procedure_logs":  # the correction's rows in place of the original's
                want += versions[correction] - versions[corrected]
            assert loaded == want, f"{name}: {loaded} rows in raw, {want} expected"
    with capsys.disabled():
        print("\nchaos timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
