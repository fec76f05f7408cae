"""The operating-quality index (issue 8, docs/indicators.md G): its criteria seed and the
page it documents, fast; and, slow, that its weak and slow-stage flags find what the
simulator planted.

The slow module builds its own warehouse at a medium size — three provinces for four
months at scale 0.3, the size of tests/test_slow_stages.py — where most planted weak units
have enough dossiers to be told apart from chance; the recovery is computed from the marts
and the manifest only.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
import sys
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from built_warehouse import query, simulated_warehouse
from report_html import PageHtml, column_of, row_of
from warehouse_fixtures import insert, report_warehouse

from orchestration.settings import SEEDS_DIR
from reports import PAGE_MODULES, operating_quality
from simulator import MANIFEST_NAME, SimulationOptions, reform, simulate
from simulator import lifecycle as lc
from simulator.calendar import build_calendar
from simulator.catalogue import build_catalogue
from simulator.causes import (
    THIN_WEAK_DIGITAL_FACTOR,
    THIN_WEAK_DOSSIERS,
    THIN_WEAK_ONLINE_FACTOR,
    THIN_WEAK_UNIT_FACTOR,
    WEAK_UNIT_DIGITAL_FACTOR,
    WEAK_UNIT_FACTOR,
    WEAK_UNIT_ONLINE_FACTOR,
    Causes,
    plant_thin_weak_unit,
    thin_out_thin_weak_unit,
)
from simulator.profiles import draw_profile
from simulator.reference import load_reference
from simulator.units import province_units

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import build_criteria_doc  # noqa: E402
import recovery  # noqa: E402

SEED = REPO / "seeds" / "operating_quality_criteria.csv"
SEED_NUMBER = 20250701  # the simulation's default seed
MODELS = REPO / "dbt_project" / "models"


def criteria() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the seed and its documentation --------------------------------------------------------


def test_the_criteria_page_is_generated_from_the_current_seed():
    assert build_criteria_doc.main(["--check"]) == 0, "run python scripts/build_criteria_doc.py"


def test_the_criteria_page_lists_every_criterion_with_its_weight():
    text = build_criteria_doc.render(criteria())
    for row in criteria():
        line = next(line for line in text.splitlines() if f"`{row['criterion_id']}`" in line)
        assert row["criterion_name_vi"] in line and row["criterion_name_en"] in line
        assert line.rstrip(" |").endswith(f"{float(row['weight']):g}")


def test_every_criterion_reads_a_measure_the_warehouse_builds():
    """A seed row whose measure no SQL produces would silently score nothing."""
    measures_sql = (MODELS / "intermediate" / "int_operating_quality_measures.sql").read_text()
    service_sql = (MODELS / "marts" / "mart_service_index_components.sql").read_text()
    built = {
        "mart_service_index_components": set(re.findall(r"\('(\w+)', '\w+', ", service_sql)),
        "mart_unit_capacity_monthly": set(re.findall(r"\('(\w+)', '\w+', '\w+'\)", measures_sql)),
        "fct_budget": set(re.findall(r"\('(\w+)', '\w+', '\w+'\)", measures_sql)),
        "mart_service_periods": set(re.findall(r"\('(\w+)', '\w+', '\w+'\)", measures_sql)),
    }
    assert {"on_time_rate", "staff_norm_ratio", "budget_execution_rate"} <= set().union(
        *built.values()
    )
    for row in criteria():
        assert row["source_measure"] in built[row["source_model"]], row["criterion_id"]


def test_every_group_has_criteria_and_rate_criteria_carry_an_interval():
    rows = criteria()
    assert {r["group_code"] for r in rows} == {"performance", "effectiveness", "efficiency"}
    assert any(r["interval_method"] == "wilson" for r in rows)


def test_every_criterion_counted_over_dossiers_carries_a_sampling_interval():
    """Issue 8: a unit with 4 dossiers must not get the certainty of one with 4,000 on any
    service criterion, a ratio of summed days (processing time) as much as a rate."""
    counted_over_dossiers = {"mart_service_index_components", "mart_service_periods"}
    rows = [r for r in criteria() if r["source_model"] in counted_over_dossiers]
    assert any(r["criterion_id"] == "processing_time_ratio" for r in rows)
    for row in rows:
        assert row["interval_method"] != "none", row["criterion_id"]


# --- the thin weak unit the simulator plants ---------------------------------------------------


def test_each_province_plants_one_thin_weak_unit_apart_from_the_weak_ones(tmp_path):
    simulate(
        SimulationOptions(
            out=tmp_path, provinces="24,33", months=6, scale=0.1, faults=False, progress=False
        )
    )
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    thin = manifest["thin_weak_units"]
    assert sorted(t["province_code"] for t in thin) == ["24", "33"]
    assert not {t["unit_code"] for t in thin} & {w["unit_code"] for w in manifest["weak_units"]}
    for entry in thin:
        assert entry["dwell_factor"] == THIN_WEAK_UNIT_FACTOR > WEAK_UNIT_FACTOR
        assert entry["online_factor"] == THIN_WEAK_ONLINE_FACTOR < WEAK_UNIT_ONLINE_FACTOR
        assert entry["digitisation_factor"] == THIN_WEAK_DIGITAL_FACTOR < WEAK_UNIT_DIGITAL_FACTOR
        assert entry["dossiers_since_reform"] == THIN_WEAK_DOSSIERS


def planted_thin_weak_unit(province: str, scale: float) -> tuple[Causes, Causes, int]:
    """The province's weak units alone, the same with its thin weak unit, and that unit."""
    units = province_units(load_reference(SEEDS_DIR), province, SEED_NUMBER, scale)
    causes = Causes(
        np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.r_[False, units.understaffed]
    )
    planted = plant_thin_weak_unit(causes, units.dossier_rate, units.unit_type)
    (thin,) = np.flatnonzero(planted.thin_weak)
    assert not units.understaffed[thin - 1]
    assert units.dossier_rate[thin - 1] < np.quantile(units.dossier_rate, 0.1)
    return causes, planted, thin


def test_the_thin_weak_unit_has_a_low_volume_and_only_it_serves_worse():
    causes, planted, thin = planted_thin_weak_unit("33", 0.1)
    every_unit = np.arange(len(planted.weak))
    for factor, weak_alone, expected in (
        (planted.unit_factor, causes.unit_factor, THIN_WEAK_UNIT_FACTOR),
        (planted.online_factor, causes.online_factor, THIN_WEAK_ONLINE_FACTOR),
        (planted.digital_factor, causes.digital_factor, THIN_WEAK_DIGITAL_FACTOR),
    ):
        assert factor(every_unit)[thin] == expected
        np.testing.assert_array_equal(
            np.delete(factor(every_unit), thin), np.delete(weak_alone(every_unit), thin)
        )


def simulated_with_thin_unit(province: str, scale: float):
    """The province's dossiers with its thin weak unit planted (before the thinning out),
    the planted causes, the unit, and the calendar (24 months)."""
    _, planted, thin = planted_thin_weak_unit(province, scale)
    reference = load_reference(SEEDS_DIR)
    catalogue = build_catalogue(reference.catalogue, SEED_NUMBER)
    calendar = build_calendar(reference, 24)
    rng = np.random.default_rng((SEED_NUMBER, int(province)))
    profile = draw_profile(rng, province)
    change = reform.ReformChange(
        SEED_NUMBER, reform.load_lineage(SEEDS_DIR), np.zeros(len(planted.weak), dtype=bool)
    )
    dossiers = lc.simulate_province(
        rng, profile, reference, calendar, catalogue, scale, planted, change
    )
    return dossiers, planted, thin, calendar


def test_the_thin_weak_unit_keeps_few_dossiers_since_the_reform_and_nothing_else_moves():
    """At the default size the thin unit receives a dozen dossiers after the reform (those
    of absorbed units are routed to it); it keeps THIN_WEAK_DOSSIERS of them, spread over the
    year among those it completed inside the window, numbered afresh within their day. Every
    other dossier is the one simulated."""
    province, scale = "24", 0.1  # its thin unit has dossiers still open at the window's end
    simulated, planted, thin, calendar = simulated_with_thin_unit(province, scale)
    thinned = thin_out_thin_weak_unit(planted, simulated)

    def since_reform(dossiers) -> np.ndarray:
        return (dossiers.unit == thin) & (dossiers.day >= reform.REFORM)

    assert since_reform(simulated).sum() > 2 * THIN_WEAK_DOSSIERS
    assert not simulated.completed()[since_reform(simulated)].all()
    kept_days = np.sort(thinned.day[since_reform(thinned)])
    assert len(kept_days) == THIN_WEAK_DOSSIERS
    assert thinned.completed()[since_reform(thinned)].all()
    post_reform_days = calendar.end_day - reform.REFORM
    assert kept_days[0] - reform.REFORM < post_reform_days / THIN_WEAK_DOSSIERS
    assert calendar.end_day - kept_days[-1] < post_reform_days / THIN_WEAK_DOSSIERS
    assert thinned.seq[since_reform(thinned)].max() == 1  # the few are alone on their day

    kept = ~since_reform(simulated)
    assert len(thinned) == kept.sum() + THIN_WEAK_DOSSIERS
    others = ~since_reform(thinned)
    for field in dataclasses.fields(simulated):
        before, after = getattr(simulated, field.name), getattr(thinned, field.name)
        if field.name in ("unit_codes", "record_codes"):
            np.testing.assert_array_equal(after, before)
        else:
            np.testing.assert_array_equal(after[others], before[kept], err_msg=field.name)


def test_work_left_at_the_reform_takes_the_new_units_time():
    """Hand-made: the reform at working-time position 11; a dossier's moments at 10, 12 and
    15 handed over to a unit 8 times slower lie at 10, 19 and 43; at a factor of 1 every
    moment keeps its exact bits."""
    moments = np.array([[10.0, 12.0, 15.0], [10.1, 11.2 + 0.1, 15.3]])
    slowed = reform.slowed_after(moments, 11.0, np.array([[8.0], [1.0]]))
    np.testing.assert_array_equal(slowed[0], [10.0, 19.0, 43.0])
    assert slowed[1].tobytes() == moments[1].tobytes()


def test_dossiers_handed_over_to_the_thin_weak_unit_are_served_at_its_pace(monkeypatch):
    """Its dossiers in flight on the reform day finish later than at the old pace: a few
    taken at that pace would outweigh the handful it keeps since the reform. Every other
    dossier, and every moment before the reform, is as simulated without the handover."""
    province, scale = "24", 0.1
    slowed, _, thin, _ = simulated_with_thin_unit(province, scale)
    monkeypatch.setattr(Causes, "handover_factor", lambda self, unit, day: np.ones(len(unit)))
    old_pace, *_ = simulated_with_thin_unit(province, scale)

    reform_ts = reform.REFORM * lc.DAY
    completed = lc.COMPLETED
    handed_over = (
        (old_pace.unit == thin)
        & (old_pace.day < reform.REFORM)
        & (old_pace.moments[:, completed] > reform_ts + lc.DAY)
        & old_pace.happened[:, completed]
    )
    assert handed_over.any()
    assert (slowed.moments[handed_over, completed] > old_pace.moments[handed_over, completed]).all()
    before = old_pace.moments < reform_ts
    np.testing.assert_array_equal(slowed.moments[before], old_pace.moments[before])
    others = old_pace.unit != thin
    np.testing.assert_array_equal(slowed.moments[others], old_pace.moments[others])
    np.testing.assert_array_equal(slowed.overdue[others], old_pace.overdue[others])


# --- the page ---------------------------------------------------------------------------------

RELATIONS = ("marts.dim_admin_unit", *operating_quality.SOURCES[:2])
SINCE_REFORM = {"period": "since_reform", "period_start": date(2025, 7, 1), "is_scored": True}


def unit(code, province, score, low, high, rank, best, worst, flag=None, on_hand=120):
    return {
        "scope": "unit",
        "area_code": code,
        "unit_code": code,
        "province_code": province,
        **SINCE_REFORM,
        "composite_score": score,
        "composite_lower": low,
        "composite_upper": high,
        "rank_in_nation": rank,
        "rank_best_in_nation": best,
        "rank_worst_in_nation": worst,
        "ranked_in_nation": 4,
        "rank_spread": 1,
        "is_rank_firm": flag != "weak",
        "quality_flag": flag,
        "dossiers_on_hand": on_hand,
        "is_weak_withheld": False,
        "reason_1_name_vi": "Biên chế so với định mức",
        "reason_1_name_en": "Staff against the norm",
        "reason_1_points_lost": 12.0,
        "reason_2_name_vi": "Tỷ lệ hồ sơ đúng hạn",
        "reason_2_name_en": "On-time rate",
        "reason_2_points_lost": 6.5,
        "slow_stages": 2,
    }


def unit_rows() -> list[dict]:
    return [
        unit("00004", "01", 80.0, 75.0, 85.0, 1, 1, 1),
        unit("00008", "01", 60.0, 50.0, 70.0, 2, 2, 3),
        unit("06700", "22", 40.0, 20.0, 90.0, 3, 1, 4, "watch"),
        unit("06800", "22", 10.0, 8.0, 12.0, 4, 4, 4, "weak"),
    ]


def render(tmp_path: Path, fill: bool = True, units: list[dict] | None = None) -> PageHtml:
    with report_warehouse(tmp_path / "w.duckdb", *RELATIONS) as con:
        if fill:
            insert(
                con,
                operating_quality.INDEX,
                [
                    *(unit_rows() if units is None else units),
                    {
                        "scope": "province",
                        "area_code": "01",
                        "province_code": "01",
                        **SINCE_REFORM,
                        "composite_score": 70.0,
                        "composite_lower": 65.0,
                        "composite_upper": 75.0,
                        "rank_in_nation": 1,
                        "rank_spread": 0,
                    },
                    {
                        "scope": "province",
                        "area_code": "22",
                        "province_code": "22",
                        **SINCE_REFORM,
                        "composite_score": 25.0,
                        "composite_lower": 15.0,
                        "composite_upper": 50.0,
                        "rank_in_nation": 2,
                        "rank_spread": 1,
                    },
                ],
            )
            insert(
                con,
                operating_quality.WEAK_LEVELS,
                [
                    {
                        "province_code": "22",
                        "period": "since_reform",
                        "period_start": date(2025, 7, 1),
                        "units_ranked": 2,
                        "units_weak": 1,
                        "units_watch": 1,
                        "excess_z": 3.1,
                        "is_weak_level": True,
                    },
                ],
            )
        path = operating_quality.render(con, tmp_path / "reports")
    return PageHtml(path.read_text(encoding="utf-8"))


def test_the_page_is_listed_and_names_its_tables():
    assert operating_quality in PAGE_MODULES
    assert {"marts.mart_operating_quality", "marts.mart_operating_quality_weak_levels"} <= set(
        operating_quality.SOURCES
    )


def test_provinces_are_ranked_with_their_interval_and_weak_level(tmp_path):
    rows = render(tmp_path).tables["provinces"]
    assert [r[column_of(rows, "Tỉnh")] for r in rows[1:]] == ["Thành phố Hà Nội", "Tỉnh Quảng Ninh"]
    quang_ninh = row_of(rows, "2")
    assert quang_ninh[column_of(rows, "Cận dưới")] == "15.0"
    assert quang_ninh[column_of(rows, "Cấp yếu")] == "Có / Yes"
    assert quang_ninh[column_of(rows, "Xã yếu")] == "1"


def test_weak_and_watch_units_are_listed_with_their_two_reasons(tmp_path):
    rows = render(tmp_path).tables["flagged"]
    names = [r[column_of(rows, "Đơn vị")] for r in rows[1:]]
    assert names == ["Phường Hạ Long", "Đặc khu Vân Đồn"]  # lowest first; unflagged left out
    van_don = rows[2]
    assert van_don[column_of(rows, "Mức")] == "Cần theo dõi / Watch"
    assert van_don[column_of(rows, "Hạng tốt nhất")] == "1"
    assert van_don[column_of(rows, "Hạng vững")] == "Vững / Firm"
    assert rows[1][column_of(rows, "Hạng vững")] == "Phụ thuộc trọng số / Depends on the weights"
    assert (
        van_don[column_of(rows, "Lý do 1")] == "Biên chế so với định mức / Staff against the norm"
    )
    assert van_don[column_of(rows, "Lý do 2")] == "Tỷ lệ hồ sơ đúng hạn / On-time rate"


def test_a_unit_with_too_few_dossiers_for_a_firm_flag_says_so(tmp_path):
    """Its interval alone would call it weak; the mart holds it at watch and the page says why."""
    units = unit_rows()
    units[1] |= {"quality_flag": "watch", "dossiers_on_hand": 3, "is_weak_withheld": True}
    rows = render(tmp_path, units=units).tables["flagged"]
    flags = {r[column_of(rows, "Đơn vị")]: r[column_of(rows, "Mức")] for r in rows[1:]}
    assert flags["Phường Hạ Long"] == "Yếu / Weak"
    assert flags["Đặc khu Vân Đồn"] == "Cần theo dõi / Watch"
    assert flags["Xã Sóc Sơn"] == (
        "Cần theo dõi: quá ít hồ sơ để kết luận yếu / Watch: too few dossiers for a firm flag"
    )


def test_empty_marts_give_notes_not_errors(tmp_path):
    page = render(tmp_path, fill=False)
    assert "flagged" not in page.tables and "provinces" not in page.tables


def test_the_recovery_script_tells_an_unflagged_thin_unit_from_an_unscored_one():
    """A thin weak unit the index scores but flags neither weak nor watch is 'unflagged';
    only one it does not score reads None (both have a null flag in the mart)."""
    with duckdb.connect() as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.mart_operating_quality as select * from (values"
            " ('unit', 'since_reform', '00001', true, 'weak', 3, false),"
            " ('unit', 'since_reform', '00002', true, 'watch', 5, true),"
            " ('unit', 'since_reform', '00003', true, null, 7, false),"
            " ('unit', 'since_reform', '00004', false, null, null, false))"
            " as t(scope, period, area_code, is_scored, quality_flag, rank_spread,"
            " is_weak_withheld)"
        )
        con.execute(
            "create table marts.mart_operating_quality_weak_levels as"
            " select '01' as province_code, 'since_reform' as period, false as is_weak_level"
        )
        manifest = {
            "weak_units": [{"unit_code": "00001"}],
            "thin_weak_units": [{"unit_code": code} for code in ("00002", "00003", "00004")],
        }
        found = recovery.operating_quality_recovery(con, manifest)
    assert found["thin"] == {"00002": "watch", "00003": "unflagged", "00004": None}
    assert (found["precision"], found["recall"], found["watch"]) == (1.0, 1.0, 1)
    assert found["withheld"] == {"00002"}


# --- recovery of what the simulator planted (slow) ---------------------------------------------

PROVINCES, MONTHS, SCALE = "24,33,37", 4, 0.3
MIN_PRECISION = MIN_RECALL = 0.8


@pytest.fixture(scope="module")
def built(tmp_path_factory, dbt_manifest) -> tuple[Path, dict]:
    """Simulate, ingest and build the warehouse (reports and the BI copy left out)."""
    data = tmp_path_factory.mktemp("operating-quality") / "data"
    return simulated_warehouse(data, PROVINCES, MONTHS, SCALE)


def precision_recall(found: set, planted: set) -> tuple[float, float]:
    hits = len(found & planted)
    return hits / len(found) if found else 0.0, hits / len(planted) if planted else 0.0


# the months since the reform: those of today's units, where the simulator plants its weak ones
SINCE_REFORM_UNITS = (
    "from marts.mart_operating_quality where scope = 'unit' and period = 'since_reform'"
)


@pytest.mark.slow
def test_weak_flags_recover_the_planted_weak_units(built):
    warehouse, manifest = built
    planted = {w["unit_code"] for w in manifest["weak_units"]}
    weak = {
        code
        for (code,) in query(
            warehouse, f"select area_code {SINCE_REFORM_UNITS} and quality_flag = 'weak'"
        )
    }
    precision, recall = precision_recall(weak, planted)
    assert len(planted) >= 8
    assert precision >= MIN_PRECISION, (sorted(weak - planted), sorted(planted - weak))
    assert recall >= MIN_RECALL, (sorted(weak - planted), sorted(planted - weak))


@pytest.mark.slow
def test_a_planted_weak_unit_with_few_dossiers_is_watch_not_weak(built):
    warehouse, manifest = built
    thin = {w["unit_code"] for w in manifest["thin_weak_units"]}
    assert len(thin) == 3  # one a province
    flags = dict(query(warehouse, f"select area_code, quality_flag {SINCE_REFORM_UNITS}"))
    assert {code: flags.get(code) for code in thin} == {code: "watch" for code in thin}


@pytest.mark.slow
def test_the_recovery_script_reports_what_the_index_flags(built):
    """scripts/recovery.py's figures for the index are those the tests above check."""
    warehouse, manifest = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = recovery.operating_quality_recovery(con, manifest)
    weak = {
        code
        for (code,) in query(
            warehouse, f"select area_code {SINCE_REFORM_UNITS} and quality_flag = 'weak'"
        )
    }
    assert found["found"] == weak
    assert found["precision"] >= MIN_PRECISION and found["recall"] >= MIN_RECALL
    assert set(found["thin"].values()) == {"watch"}
    assert 0 <= found["median_rank_spread"] < found["scored"]


@pytest.mark.slow
def test_unit_slow_stage_flags_recover_the_planted_slow_steps(built):
    """Unit flags fall on the planted (province, procedure, step) triples, every planted
    triple is flagged in some unit, and the index counts each unit's flags."""
    warehouse, manifest = built
    planted = {
        (s["province_code"], s["procedure_code"], s["step_name"]) for s in manifest["slow_steps"]
    }
    flags = query(
        warehouse,
        """
        select province_code, procedure_code, step_name
        from marts.mart_operating_quality_slow_stages where is_slow_stage""",
    )
    assert flags
    precision = sum(flag in planted for flag in flags) / len(flags)
    _, recall = precision_recall(set(flags), planted)
    assert precision >= MIN_PRECISION, sorted(set(flags) - planted)
    assert recall >= MIN_RECALL, sorted(planted - set(flags))
    counted = query(warehouse, f"select sum(slow_stages) {SINCE_REFORM_UNITS}")[0][0]
    assert counted == len(flags)


@pytest.mark.slow
def test_rate_intervals_are_wilson_intervals_of_the_stored_counts(built):
    warehouse, _ = built
    rows = query(
        warehouse,
        """
        select numerator, denominator, ratio_lower, ratio_upper
        from marts.mart_operating_quality_components
        where interval_method = 'wilson' and denominator between 5 and 60 limit 50""",
    )
    assert rows
    z = 1.96
    for x, n, low, high in rows:
        p = x / n
        centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert low == pytest.approx((centre - half) / (1 + z * z / n))
        assert high == pytest.approx((centre + half) / (1 + z * z / n))


@pytest.mark.slow
def test_processing_time_intervals_are_delta_method_intervals_of_the_dossiers(built):
    """The ratio_delta bounds re-derived from the dossiers themselves, not the summed
    moments: R = ΣY ÷ ΣX over the unit's dossiers completed since the reform, its variance
    s²(Y − R·X) ÷ (n·X̄²), the interval R ∓ 1.96·√Var with the lower held at 0; a unit
    with one completed dossier has no ratio interval and scores over 0–100."""
    warehouse, _ = built
    bounds = {
        unit: (low, high, normalised_low, normalised_high)
        for unit, low, high, normalised_low, normalised_high in query(
            warehouse,
            """
            select area_code, ratio_lower, ratio_upper, normalised_lower, normalised_upper
            from marts.mart_operating_quality_components
            where criterion_id = 'processing_time_ratio' and scope = 'unit'
                and period = 'since_reform' and ratio is not null""",
        )
    }
    dossiers: dict[str, list[tuple[float, float]]] = {}
    for unit, taken, promised in query(
        warehouse,
        """
        select unit_code, processing_working_days, promised_working_days
        from marts.fct_dossiers
        where finish_event in ('completed', 'result_returned') and received_at is not null
            and cast(date_trunc('month', finished_at) as date) >= date '2025-07-01'""",
    ):
        dossiers.setdefault(unit, []).append((taken, promised))
    checked = {"few": 0, "many": 0, "single": 0}
    z = 1.96
    for unit, (low, high, normalised_low, normalised_high) in bounds.items():
        y, x = np.array(dossiers[unit]).T
        if len(y) == 1:
            assert (low, high, normalised_low, normalised_high) == (None, None, 0.0, 100.0)
            checked["single"] += 1
            continue
        ratio = y.sum() / x.sum()
        half = z * math.sqrt((y - ratio * x).var(ddof=1) / (len(y) * x.mean() ** 2))
        assert low == pytest.approx(max(ratio - half, 0.0), abs=1e-9), unit
        assert high == pytest.approx(ratio + half, abs=1e-9), unit
        checked["few" if len(y) < 20 else "many"] += 1
    assert checked["few"] and checked["many"], checked
