"""Before and after the reform, end to end (issue 13): records under the codes of their time
reach today's units through the lineage, a post-reform record under an old code is
quarantined saying why, and the before/after marts recover the change the simulator planted
(docs/simulation.md, "Before and after the reform").

Two provinces — Hà Nội (01) and Tuyên Quang (08, which took Hà Giang whole) — over the
default 24 months (a full year each side of 1 July 2025), plus one hand-made file: a dossier
of March 2025 under Phường Phúc Xá's code (00001, merged whole into today's 00097) and an
event of August 2025 under the same code. Ingest and dbt build run as `make run` runs them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from built_warehouse import build_warehouse, query, simulate_landing

pytestmark = pytest.mark.slow

PROVINCES, MONTHS, SCALE = "01,08", 24, 0.15
OLD_CODE, TODAYS_UNIT = "00001", "00097"  # Phường Phúc Xá → Phường Ba Đình (unit_lineage)
HAND_MADE = "HANDMADE-250310-0001"
PROCEDURE = "1.002368"  # a commune-level procedure in force throughout
# Recovery of the planted change among the units with enough dossiers judged on both sides
# (var before_after_min_judged): the sign of the on-time change, and the top of the ranks.
MIN_SIGN_AGREEMENT = 0.9
MIN_TOP_PRECISION = 0.6


def hand_made_rows() -> list[dict]:
    base = {
        "dossier_code": HAND_MADE,
        "procedure_code": PROCEDURE,
        "unit_code": OLD_CODE,
        "channel": "direct",
        "due_at": "2025-03-14T17:00:00+07:00",
        "handler_ref": "CB00001002",
        "applicant_id": "001090000001",
        "applicant_type": "citizen",
    }
    moments = {
        "submitted": "2025-03-10T08:30:00+07:00",
        "received": "2025-03-10T08:40:00+07:00",
        "completed": "2025-03-12T10:00:00+07:00",
        "result_returned": "2025-03-12T15:00:00+07:00",
    }
    rows = [base | {"event_type": kind, "event_at": at} for kind, at in moments.items()]
    # after the reform the old code names no unit: this row must be quarantined
    rows.append(
        base
        | {
            "dossier_code": "HANDMADE-250804-0001",
            "event_type": "received",
            "event_at": "2025-08-04T09:00:00+07:00",
            "due_at": "2025-08-08T17:00:00+07:00",
        }
    )
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> tuple[Path, dict]:
    data = tmp_path_factory.mktemp("before-after") / "data"
    landing = simulate_landing(data, PROVINCES, MONTHS, SCALE)
    extra = landing / "procedure_logs" / "01_2025-03_bo_sung.jsonl"
    extra.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in hand_made_rows()),
        encoding="utf-8",
    )
    return build_warehouse(data)


def test_a_record_under_a_pre_reform_code_reaches_todays_unit(built):
    warehouse, _ = built
    [(unit, province)] = query(
        warehouse,
        f"select unit_code, province_code from marts.fct_dossiers "
        f"where dossier_code = '{HAND_MADE}'",
    )
    assert (unit, province) == (OLD_CODE, "01")
    assert query(
        warehouse,
        f"select new_unit_code, allocation_weight from marts.bridge_admin_unit_lineage "
        f"where old_unit_code = '{OLD_CODE}'",
    ) == [(TODAYS_UNIT, 1.0)]
    [(received,)] = query(
        warehouse,
        f"select dossiers_received from marts.mart_unit_service_before_after "
        f"where unit_code = '{TODAYS_UNIT}' and period = 'before'",
    )
    assert received >= 1


def test_every_dossier_before_the_reform_is_restated_on_todays_units(built):
    """The before period's restated dossiers add up to the facts received in it under any
    code the lineage knows: district and old province codes included, nothing lost."""
    warehouse, _ = built
    [(facts, bridged)] = query(
        warehouse,
        """
        select count(*), count(*) filter (where unit_code in (
            select old_unit_code from marts.bridge_admin_unit_lineage))
        from marts.fct_dossiers
        where received_at >= date '2024-07-01' and received_at < date '2025-07-01'
        """,
    )
    [(restated,)] = query(
        warehouse,
        "select sum(dossiers_received) from marts.mart_unit_service_before_after "
        "where period = 'before'",
    )
    assert facts > 5000 and bridged == facts
    assert restated == pytest.approx(facts)


def test_a_post_reform_record_under_an_old_code_is_quarantined_saying_why(built):
    warehouse, _ = built
    [(code, reason)] = query(
        warehouse,
        "select reason_code, reason from audit.quarantine where path like '%bo_sung%'",
    )
    assert code == "unknown_unit"
    assert f"'{OLD_CODE}'" in reason and "abolished on 1 July 2025" in reason


def test_the_change_mart_recovers_the_planted_improvements_and_declines(built):
    warehouse, manifest = built
    planted = {c["unit_code"]: c["change"] for c in manifest["reform_changes"]}
    rows = query(
        warehouse,
        """
        select area_code, on_time_rate_change, improvement_rank, decline_rank
        from marts.mart_service_before_after_change
        where scope = 'unit' and unit_level = 'commune' and is_comparable
        """,
    )
    seen = [r for r in rows if r[0] in planted]
    assert len(seen) >= 10, "too few planted units can be judged: raise SCALE"
    agree = sum((planted[code] == "improved") == (change > 0) for code, change, _, _ in seen)
    assert agree / len(seen) >= MIN_SIGN_AGREEMENT
    for change, rank_column in (("improved", 2), ("declined", 3)):
        planted_seen = {r[0] for r in seen if planted[r[0]] == change}
        top = {r[0] for r in rows if r[rank_column] <= len(planted_seen)}
        assert len(top & planted_seen) / len(top) >= MIN_TOP_PRECISION, (change, top)
