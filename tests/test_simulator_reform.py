"""The reform in the simulated records (docs/simulation.md, "Before and after the reform"):
records before 1 July 2025 carry the unit codes of their time, district-level procedures
are handled at districts, dossiers in flight are handed over to today's unit, and the
planted change (learning curve, improved and declined units) is in the manifest and in the
dossiers' times."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.settings import SEEDS_DIR
from simulator import MANIFEST_NAME, SimulationOptions, reform, simulate
from simulator import lifecycle as lc
from simulator.calendar import build_calendar
from simulator.catalogue import build_catalogue
from simulator.causes import WEAK_UNIT_FACTOR, draw_causes
from simulator.profiles import draw_profile
from simulator.reference import load_reference
from simulator.units import province_units

SEED = 20250701
# Lào Cai (15) took old Lào Cai (10) and Yên Bái (15) whole; its exports are JSON Lines.
PROVINCE, MONTHS = "15", 13  # June 2025 – June 2026: one month before the reform


def seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / f"{name}.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("reform-landing")
    simulate(
        SimulationOptions(
            out=out, provinces=PROVINCE, months=MONTHS, scale=0.1, faults=False, progress=False
        )
    )
    return out


@pytest.fixture(scope="module")
def events(landing) -> pd.DataFrame:
    with duckdb.connect() as con:
        return con.execute(
            f"""
            select dossier_code, procedure_code, unit_code, event_type,
                cast(event_at as timestamp) as event_at
            from read_json('{landing}/procedure_logs/*.jsonl', format='newline_delimited',
                columns={{dossier_code: 'varchar', procedure_code: 'varchar',
                unit_code: 'varchar', event_type: 'varchar', event_at: 'varchar'}})
            """
        ).df()


def test_records_before_the_reform_carry_the_codes_of_their_time(events):
    old = set(seed("admin_units_before_reform")["unit_code"])
    current = set(seed("admin_units")["unit_code"])
    reform_day = pd.Timestamp(str(reform.REFORM_DAY))
    before = events[events["event_at"] < reform_day]
    after = events[events["event_at"] >= reform_day]
    assert len(before) > 1000 and len(after) > 1000
    assert set(before["unit_code"]) <= old
    assert set(after["unit_code"]) <= current
    # old Lào Cai's provincial dossiers: under its own code before the reform, never after it
    assert "10" in set(before["unit_code"]) and "10" not in set(after["unit_code"])


def test_district_level_procedures_are_handled_at_districts_before_the_reform(events):
    catalogue = seed("procedure_catalogue")
    from_district = set(catalogue.loc[catalogue["devolved_from"] == "district", "procedure_code"])
    districts = set(
        seed("admin_units_before_reform").query("unit_level == 'district'")["unit_code"]
    )
    submitted = events[events["event_type"] == "submitted"]
    before = submitted[submitted["event_at"] < pd.Timestamp(str(reform.REFORM_DAY))]
    at_district = before["unit_code"].isin(districts)
    assert at_district.any() and (~at_district).any()
    assert set(before.loc[at_district, "procedure_code"]) <= from_district
    communes = before[before["unit_code"].str.len() == 5]
    assert not set(communes["procedure_code"]) & from_district


def test_a_dossier_in_flight_is_handed_over_to_a_successor_of_its_unit(events):
    lineage = seed("unit_lineage")
    successors = set(zip(lineage["old_unit_code"], lineage["new_unit_code"], strict=True))
    codes = events.groupby("dossier_code")["unit_code"].unique()  # noqa: PD010 - a test's tally
    handed_over = codes[codes.map(len) > 1]
    assert len(handed_over) > 20
    for dossier, units in handed_over.items():
        old, new = dossier.split("-")[0], next(u for u in units if u != dossier.split("-")[0])
        assert len(units) == 2 and (old, new) in successors, (dossier, units)


def test_dossier_codes_stay_unique_when_units_share_an_old_code(events):
    submitted = events[events["event_type"] == "submitted"]
    assert submitted["dossier_code"].is_unique


def test_manifest_records_the_change(landing):
    manifest = json.loads((landing / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 4
    assert [m["month"] for m in manifest["reform"]["learning_curve"]] == [
        "2025-07",
        "2025-08",
        "2025-09",
    ]
    changes = manifest["reform_changes"]
    declined = {c["unit_code"] for c in changes if c["change"] == "declined"}
    improved = {c["unit_code"] for c in changes if c["change"] == "improved"}
    assert declined == {w["unit_code"] for w in manifest["weak_units"]}
    assert improved and not improved & declined
    for entry in changes:
        factor = entry["factor_before"] if entry["change"] == "improved" else entry["factor_after"]
        assert factor == (
            reform.IMPROVED_FACTOR if entry["change"] == "improved" else WEAK_UNIT_FACTOR
        )


def test_improved_units_were_slow_before_and_weak_units_are_slow_after():
    """Overdue shares of the planted units on each side of the reform, over a year each."""
    reference = load_reference(SEEDS_DIR)
    catalogue = build_catalogue(reference.catalogue, SEED)
    province, scale = PROVINCE, 0.3
    calendar = build_calendar(reference, 24)
    rng = np.random.default_rng((SEED, int(province)))
    profile = draw_profile(rng, province)
    understaffed = province_units(reference, province, SEED, scale).understaffed
    causes = draw_causes(SEED, province, catalogue, understaffed)
    _, rates, _ = lc.unit_rates(reference, profile, scale)
    improved = reform.draw_improved(SEED, province, rates, causes.weak)
    change = reform.ReformChange(SEED, reform.load_lineage(SEEDS_DIR), improved)
    dossiers = lc.simulate_province(
        rng, profile, reference, calendar, catalogue, scale, causes, change
    )
    finished = dossiers.happened[:, lc.COMPLETED]
    before = dossiers.day < reform.REFORM
    # the learning curve's quarter is left out of "after"
    quarter_end = (reform.REFORM_DAY.astype("datetime64[M]") + 3).astype("datetime64[D]")
    after = dossiers.day >= int(quarter_end.astype(np.int64))

    def overdue(units: np.ndarray, period: np.ndarray) -> float:
        mask = finished & period & units[dossiers.unit]
        return float(dossiers.overdue[mask].mean())

    others = ~improved & ~causes.weak
    assert overdue(improved, before) > 2 * overdue(improved, after)
    assert overdue(causes.weak, after) > 2 * overdue(causes.weak, before)
    assert overdue(others, before) == pytest.approx(overdue(others, after), abs=0.03)


NEW_UNIT = "03980"  # Phường Mộc Châu (Sơn La, 14): a code no unit carried before the reform


def test_a_unit_created_by_the_reform_has_no_roster_budget_or_office_before_it(tmp_path):
    """Units created on the reform day did not exist before it: the simulator writes none of
    their rows dated earlier, which ingest would refuse as `unknown_unit` though the fault
    manifest holds no such fault. After the reform they have all three sources."""
    simulate(
        SimulationOptions(
            out=tmp_path, provinces="14", months=MONTHS, scale=0.05, faults=False, progress=False
        )
    )
    with duckdb.connect() as con:
        rows = con.execute(
            f"""
            select source, coalesce(month_start >= date '2025-07-01', false), count(*)
            from (
                select 'budget' as source, make_date(fiscal_year, period, 1) as month_start,
                    unit_code
                from read_csv('{tmp_path}/budget_allocations/*.csv', all_varchar=false)
                union all
                select 'assets', date_trunc('month', snapshot_date), unit_code
                from read_csv('{tmp_path}/asset_inventories/*.csv', all_varchar=false)
                union all
                select 'roster', strptime(regexp_extract(filename, '_(\\d{{4}}-\\d{{2}})', 1)
                    || '-01', '%Y-%m-%d'), unit_code
                from read_csv('{tmp_path}/personnel_rosters/*.csv', filename = true,
                    types = {{'unit_code': 'VARCHAR'}})
            )
            where unit_code = '{NEW_UNIT}'
            group by all
            """
        ).fetchall()
    after = {source for source, is_after, n in rows if is_after and n}
    before = {source: n for source, is_after, n in rows if not is_after}
    assert before == {}
    assert after == {"budget", "assets", "roster"}
