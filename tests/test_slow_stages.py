"""The bottleneck indicators find what the simulator planted (issue 7 §5, docs/simulation.md).

Three provinces for four months — Bắc Ninh (24, status-code exports), Nghệ An (33) and
Lâm Đồng (37) — at a scale where each planted slow step has well over a hundred completed
steps in its province and most weak units a few dozen dossiers. Ingest and dbt build run
as `make run` runs them; the recovery is computed from the marts and the manifest only.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main as reformwatch
from orchestration.resources import WarehouseResource
from simulator import MANIFEST_NAME

pytestmark = pytest.mark.slow

PROVINCES, MONTHS, SCALE = "24,33,37", 4, 0.3
# A weak unit can only be told from chance with enough dossiers judged: units below this
# on-time denominator are left out of the ranking, planted or not.
MIN_JUDGED = 30
MIN_PRECISION = MIN_RECALL = 0.8


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> tuple[Path, dict]:
    """Simulate, ingest and build the warehouse (reports and the BI copy left out)."""
    data = tmp_path_factory.mktemp("slow-stages") / "data"
    landing = data / "landing"
    assert (
        reformwatch(
            [
                "simulate",
                "--provinces",
                PROVINCES,
                "--months",
                str(MONTHS),
                "--scale",
                str(SCALE),
                "--no-faults",
                "--out",
                str(landing),
            ]
        )
        == 0
    )
    warehouse = WarehouseResource(data_dir=str(data))
    from orchestration.definitions import build_definitions

    definitions = build_definitions(warehouse)
    selection = [
        key
        for key in definitions.resolve_all_asset_keys()
        if key.path[0] not in ("reports", "bi", "quality")
    ]
    result = definitions.resolve_job_def("reformwatch_all").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, asset_selection=selection
    )
    assert result.success
    manifest = json.loads((landing / MANIFEST_NAME).read_text(encoding="utf-8"))
    return warehouse.settings.warehouse, manifest


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def precision_recall(found: set, planted: set) -> tuple[float, float]:
    hits = len(found & planted)
    return hits / len(found) if found else 0.0, hits / len(planted) if planted else 0.0


def test_slow_stage_flags_recover_the_planted_slow_steps(built):
    warehouse, manifest = built
    planted = {
        (s["province_code"], s["procedure_code"], s["step_name"]) for s in manifest["slow_steps"]
    }
    assert len(planted) == 6
    flagged = set(
        query(
            warehouse,
            """
        select area_code, procedure_code, step_name from marts.mart_slow_stages
        where scope = 'province' and is_slow_stage""",
        )
    )
    precision, recall = precision_recall(flagged, planted)
    assert precision >= MIN_PRECISION, (flagged, planted)
    assert recall >= MIN_RECALL, (flagged, planted)


def test_the_units_with_the_worst_on_time_rate_are_the_planted_weak_units(built):
    warehouse, manifest = built
    weak = {w["unit_code"] for w in manifest["weak_units"]}
    ranked = query(
        warehouse,
        f"""
        select area_code from marts.mart_service_periods
        where scope = 'unit' and period = 'whole' and on_time_denominator >= {MIN_JUDGED}
        order by on_time_rate, area_code""",
    )
    judged = [code for (code,) in ranked]
    planted = weak & set(judged)
    assert len(planted) >= 8  # the scale gives most weak units enough dossiers
    worst = set(judged[: len(planted)])
    precision, recall = precision_recall(worst, planted)
    assert precision >= MIN_PRECISION, (sorted(worst), sorted(planted))
    assert recall >= MIN_RECALL


def test_the_slowest_step_explains_overdue_dossiers_and_backlog_ages(built):
    """The marts that the page reads hold rows for every planted procedure: its slowest
    step names a step, overdue dossiers mostly overran it, and the backlog's buckets add up."""
    warehouse, manifest = built
    procedures = {s["procedure_code"] for s in manifest["slow_steps"]}
    rows = query(
        warehouse,
        f"""
        select procedure_code, step_name, overdue_over_usual_share
        from marts.mart_procedure_steps
        where is_slowest_step and procedure_code in ({", ".join(f"'{p}'" for p in procedures)})
    """,
    )
    assert {r[0] for r in rows} == procedures
    assert all(share is not None and share > 0.5 for _, _, share in rows)
    nation = query(
        warehouse,
        """
        select sum(past_due_dossiers), sum(past_due_1_5_days + past_due_6_10_days
            + past_due_11_20_days + past_due_over_20_days), sum(open_dossiers)
        from marts.mart_backlog_ageing where scope = 'nation'""",
    )[0]
    assert nation[0] > 0 and nation[0] == nation[1] and nation[2] > nation[0]
