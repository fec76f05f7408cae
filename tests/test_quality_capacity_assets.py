"""Fast tests of the capacity, resources and assets suites in `expectations/` (no dbt).

Tiny tables shaped like the models of DEVELOPERS.md ("dbt models for capacity, resources and
assets") are built in a DuckDB file under tmp_path: each clean table passes its suite, and one
corruption per suite fails on the expected expectation and names the offending row.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
import yaml

# the helpers of the existing suite tests (tests/ is on sys.path under pytest's default import mode)
from test_quality import failed, model_columns
from warehouse_fixtures import insert, warehouse

from orchestration.quality.ge_runner import (
    computed_columns,
    describe_failures,
    load_suite,
    referenced_columns,
    validate_table,
)
from orchestration.settings import DBT_PROJECT_DIR

STAFF = "staging.stg_personnel_rosters__staff"
BUDGET_LINES = "staging.stg_budget_allocations__lines"
ASSETS = "staging.stg_asset_inventories__assets"
CAPACITY = "marts.mart_unit_capacity_monthly"
RESOURCES = "marts.mart_unit_resources"
PROVINCE_ASSETS = "marts.mart_province_assets"
BUDGET_EXECUTION = "marts.mart_budget_execution"
RELATIONS = [STAFF, BUDGET_LINES, ASSETS, CAPACITY, RESOURCES, PROVINCE_ASSETS, BUDGET_EXECUTION]
FACT_ASSETS = "marts.fct_assets"  # what mart_province_assets is reconciled against
SUITES = [relation.split(".")[1] for relation in RELATIONS]

PAIR = "expect_column_pair_values_a_to_be_greater_than_b"
EQUAL = "expect_column_pair_values_to_be_equal"
STALE = {(EQUAL, "province_latest_month, latest_month")}
BETWEEN = "expect_column_values_to_be_between"
COMMUNE_UNITS = 3321
PERSONAL_COLUMNS = {"full_name", "national_id", "birth_date"}

UNITS = ["00004", "00008", "01"]
SNAPSHOT = date(2025, 8, 31)
AUGUST = date(2025, 8, 1)


def ratio(numerator, denominator):
    """safe_divide: null when the denominator is 0 or null."""
    return None if not denominator else numerator / denominator


# --- clean rows, consistent with the model definitions ------------------------------------------


def staff_rows() -> list[dict]:
    people = [
        ("S001", "00004", "chairman", "general_administration", "active", None, None, None),
        ("S002", "00004", "civil_servant", "land", "active", None, None, None),
        ("S003", "00004", "civil_servant", None, "on_leave", None, None, None),
        ("S004", "00008", "cadre", "justice_civil_status", "active", None, None, None),
        (
            "S005",
            "00008",
            "contract_staff",
            "it_digital",
            "left",
            "early_retirement",
            300_000_000,
            120_000_000,
        ),
        # paid above due: a top-up, legitimate, so not a failure
        (
            "S006",
            "00008",
            "civil_servant",
            "finance_accounting",
            "left",
            "resignation",
            80_000_000,
            95_000_000,
        ),
        ("S007", "01", "vice_chairman", "construction", "active", None, None, None),
    ]
    return [
        dict(
            staff_snapshot_id=f"h{code}",
            snapshot_date=SNAPSHOT,
            month_start=AUGUST,
            staff_code=code,
            national_id_key="k" * 16,
            age_band="40-44",
            unit_code=unit,
            province_code=unit[:2],
            position=position,
            specialisation=specialisation,
            qualification="university",
            salary_coefficient=2.34 + i,
            status=status,
            joined_on=date(2012, 3, 1),
            left_on=date(2025, 7, 31) if status == "left" else None,
            exit_reason=reason,
            benefit_due_vnd=due,
            benefit_paid_vnd=paid,
            file_id="f" * 64,
        )
        for i, (code, unit, position, specialisation, status, reason, due, paid) in enumerate(
            people
        )
    ]


def budget_line_rows() -> list[dict]:
    lines = [
        ("00004", "commune", "expenditure", "recurrent_operations", "salaries", 500, 480, 470),
        ("00004", "commune", "expenditure", "digital_transformation", "software", 60, 50, 10),
        # disbursed above allocated: carried-over appropriation, legitimate
        ("00008", "commune", "expenditure", "development_investment", "roads", 900, 700, 760),
        ("00008", "commune", "revenue", "land_use_fees", "land_use", 200, 200, 350),
        ("01", "province", "revenue", "transfers_from_province", "transfer", 0, 0, 0),
    ]
    return [
        dict(
            budget_line_id=f"b{i}",
            fiscal_year=2025,
            period=8,
            period_start=AUGUST,
            unit_code=unit,
            province_code=unit[:2],
            level=level,
            flow=flow,
            category=category,
            budget_item=item,
            planned_vnd=planned * 1_000_000,
            allocated_vnd=allocated * 1_000_000,
            disbursed_vnd=disbursed * 1_000_000,
            treasury_account_opened_on=date(2025, 7, 1),
            file_id="f" * 64,
        )
        for i, (unit, level, flow, category, item, planned, allocated, disbursed) in enumerate(
            lines
        )
    ]


def asset_rows() -> list[dict]:
    assets = [
        ("A001", "office_building", "00004", "in_use", None, date(2025, 7, 1), 1200, 300),
        ("A002", "office_building", "00004", "surplus", None, date(2025, 7, 15), 800, 800),
        ("A003", "land", "00008", "repurposed", "education", date(2025, 8, 20), None, None),
        ("A004", "office_building", "00008", "disposed", None, None, 0, 0),
        ("A005", "vehicle", "01", "in_use", None, date(2020, 1, 10), None, None),
    ]
    return [
        dict(
            asset_snapshot_id=f"h{code}",
            snapshot_date=SNAPSHOT,
            month_start=AUGUST,
            asset_code=code,
            asset_type=asset_type,
            unit_code=unit,
            province_code=unit[:2],
            former_unit_code="00271",
            address="1 Tran Phu",
            area_m2=350.5,
            book_value_vnd=2_500_000_000,
            status=status,
            repurposed_to=repurposed_to,
            status_since=since,
            archive_records=records,
            archive_records_digitised=digitised,
            file_id="f" * 64,
        )
        for code, asset_type, unit, status, repurposed_to, since, records, digitised in assets
    ]


def capacity_row(unit_code: str, month_start: date, population: int) -> dict:
    row = dict(
        unit_code=unit_code,
        province_code=unit_code[:2],
        unit_type="ward",
        month_start=month_start,
        population=population,
        headcount=24,
        staff_norm=25,
        specialisations_required=6,
        specialisations_filled=5,
        handling_staff=18,
        dossiers_finished=540,
        joiners=1,
        leavers_total=3,
        leavers_early_retirement=2,
        leavers_resignation=1,
        leavers_retirement=0,
        leavers_transfer=0,
        leavers_dismissal=0,
        benefits_due_vnd=400_000_000,
        benefits_paid_vnd=150_000_000,
        benefits_due_since_reform_vnd=900_000_000,
        benefits_paid_since_reform_vnd=950_000_000,  # over-paid since the reform: legitimate
        benefit_settled_leavers=2,
        benefit_delay_months_sum=3,
    )
    row["staff_per_10k_residents"] = ratio(row["headcount"] * 10_000, population)
    row["staff_norm_gap"] = row["headcount"] - row["staff_norm"]  # negative: under the norm
    row["specialist_coverage"] = ratio(row["specialisations_filled"], 6)
    row["workload_per_handling_staff"] = ratio(row["dossiers_finished"], row["handling_staff"])
    row["benefit_payment_ratio"] = ratio(
        row["benefits_paid_since_reform_vnd"], row["benefits_due_since_reform_vnd"]
    )
    row["benefit_delay_months_avg"] = ratio(
        row["benefit_delay_months_sum"], row["benefit_settled_leavers"]
    )
    return row


def capacity_rows() -> list[dict]:
    rows = [
        capacity_row(u, m, 61_000) for u in ("00004", "00008") for m in (date(2025, 7, 1), AUGUST)
    ]
    rows.append(capacity_row("20333", AUGUST, 0))  # Hoang Sa: population 0, rates null
    return rows


def resource_rows() -> pd.DataFrame:
    """3,321 commune-level units; ranks, quartile and flag derived as the model does."""
    n = COMMUNE_UNITS
    frame = pd.DataFrame({"rank": range(1, n + 1)})
    frame["unit_code"] = [f"{i:05d}" for i in frame["rank"]]
    frame["province_code"] = [f"{1 + i % 34:02d}" for i in frame["rank"]]
    frame["unit_type"] = ["commune", "ward", "special_zone"] * (n // 3)
    frame["population"] = 20_000
    frame["period_start"] = date(2025, 7, 1)
    frame["headcount_month_start"] = AUGUST
    frame["devolved_dossiers"] = n + 1 - frame["rank"]
    frame["dossiers_received"] = frame["devolved_dossiers"] * 3
    frame["devolved_dossiers_per_10k_residents"] = frame["devolved_dossiers"] / 2
    frame["headcount"] = 20 + frame["rank"] % 10
    frame["handling_staff"] = frame["headcount"] - 4
    frame["staff_per_10k_residents"] = frame["headcount"] / 2
    frame["expenditure_allocated_vnd"] = 1_000_000_000 + frame["rank"] * 1_000
    frame["expenditure_disbursed_vnd"] = frame["expenditure_allocated_vnd"] * 0.8
    frame["digital_transformation_allocated_vnd"] = 50_000_000
    frame["digital_transformation_share"] = (
        frame["digital_transformation_allocated_vnd"] / frame["expenditure_allocated_vnd"]
    )
    frame["budget_execution_rate"] = 0.8
    frame["allocated_vnd_per_resident"] = frame["expenditure_allocated_vnd"] / 20_000
    frame["staff_per_1000_devolved_dossiers"] = (
        frame["headcount"] * 1000 / frame["devolved_dossiers"]
    )
    frame["allocated_vnd_per_devolved_dossier"] = (
        frame["expenditure_allocated_vnd"] / frame["devolved_dossiers"]
    )
    frame["workload_rank"] = frame["rank"]
    frame["is_top_workload_quartile"] = frame["rank"] <= n / 4
    frame["resource_rank"] = n + 1 - frame["rank"]
    frame["resource_score"] = frame["rank"] / n
    frame["resource_gap"] = frame["resource_rank"] - frame["workload_rank"]
    frame["resource_gap_flag"] = frame["is_top_workload_quartile"] & (frame["resource_gap"] >= 1000)
    frame["treasury_account_opened_on"] = date(2025, 7, 1)
    # a unit without roster or budget: staff and money measures are null, not 0
    no_data = frame["rank"] == n
    for column in (
        "headcount",
        "handling_staff",
        "staff_per_10k_residents",
        "expenditure_allocated_vnd",
        "expenditure_disbursed_vnd",
        "digital_transformation_allocated_vnd",
        "digital_transformation_share",
        "budget_execution_rate",
        "allocated_vnd_per_resident",
        "staff_per_1000_devolved_dossiers",
        "allocated_vnd_per_devolved_dossier",
        "resource_score",
        "resource_rank",
        "resource_gap",
    ):
        frame[column] = frame[column].astype("object").where(~no_data, None)
    return frame.drop(columns="rank")


def province_asset_row(province_code: str, month_start: date) -> dict:
    row = dict(
        province_code=province_code,
        month_start=month_start,
        snapshot_date=month_start.replace(day=28),
        offices_total=120,
        surplus_offices=40,
        waiting=22,
        repurposing=6,
        repurposed=10,
        disposed=2,
        surplus_land_area_m2=15_300.0,
        repurposed_priority=7,
        decisions_timed=11,
        median_days_to_decision=94.0,
        archive_records=52_000,
        archive_records_digitised=18_500,
    )
    row["repurposed_share"] = ratio(row["repurposed"], row["surplus_offices"])
    row["priority_share"] = ratio(row["repurposed_priority"], row["repurposed"])
    row["archive_digitised_share"] = ratio(row["archive_records_digitised"], row["archive_records"])
    return row


def province_asset_rows() -> list[dict]:
    rows = [province_asset_row(p, m) for p in ("01", "22") for m in (date(2025, 7, 1), AUGUST)]
    quiet = rows[0]  # a province-month with no surplus yet: shares are null, not 0
    quiet.update(
        surplus_offices=0,
        waiting=0,
        repurposing=0,
        repurposed=0,
        disposed=0,
        repurposed_priority=0,
        decisions_timed=0,
        median_days_to_decision=None,
        surplus_land_area_m2=0.0,
        repurposed_share=None,
        priority_share=None,
    )
    return rows


def budget_execution_rows() -> list[dict]:
    cells = [
        ("01", "province", "expenditure", "recurrent_operations", 1, 900, 850, 700),
        ("01", "commune", "expenditure", "digital_transformation", 126, 300, 280, 90),
        ("22", "commune", "expenditure", "development_investment", 171, 800, 600, 0),
        # land-use fees collected above the estimate: legitimate
        ("22", "commune", "revenue", "land_use_fees", 171, 200, 200, 460),
        ("22", "province", "revenue", "transfers_from_province", 1, 0, 0, 0),
    ]
    return [
        dict(
            province_code=province,
            fiscal_year=2025,
            level=level,
            flow=flow,
            category=category,
            units_reporting=units,
            planned_vnd=planned * 10**9,
            allocated_vnd=allocated * 10**9,
            disbursed_vnd=disbursed * 10**9,
            execution_rate=ratio(disbursed, allocated),
        )
        for province, level, flow, category, units, planned, allocated, disbursed in cells
    ]


def offices_behind(mart_rows: list[dict]) -> tuple[str, list[dict]]:
    """The fct_assets offices each province-snapshot of mart_province_assets counts."""
    return FACT_ASSETS, [
        dict(
            asset_snapshot_key=f"{row['province_code']}{row['snapshot_date']}{i}",
            asset_code=f"O{i:04d}",
            snapshot_date=row["snapshot_date"],
            month_start=row["month_start"],
            unit_code=row["province_code"],
            province_code=row["province_code"],
            asset_type="office_building",
            is_office=True,
            status="in_use",
        )
        for row in mart_rows
        for i in range(row["offices_total"])
    ]


def lines_behind(cells: list[dict]) -> tuple[str, list[dict]]:
    """One staged budget line per mart_budget_execution cell, with the cell's amounts."""
    return BUDGET_LINES, [
        dict(
            budget_line_id=f"b{i}",
            fiscal_year=cell["fiscal_year"],
            period=8,
            period_start=AUGUST,
            unit_code=cell["province_code"],
            province_code=cell["province_code"],
            level=cell["level"],
            flow=cell["flow"],
            category=cell["category"],
            budget_item="item",
            planned_vnd=cell["planned_vnd"],
            allocated_vnd=cell["allocated_vnd"],
            disbursed_vnd=cell["disbursed_vnd"],
            file_id="f" * 64,
        )
        for i, cell in enumerate(cells)
    ]


# the rows a mart is reconciled against, derived from its clean rows
BEHIND = {PROVINCE_ASSETS: offices_behind, BUDGET_EXECUTION: lines_behind}


CLEAN = {
    STAFF: staff_rows,
    BUDGET_LINES: budget_line_rows,
    ASSETS: asset_rows,
    CAPACITY: capacity_rows,
    RESOURCES: resource_rows,
    PROVINCE_ASSETS: province_asset_rows,
    BUDGET_EXECUTION: budget_execution_rows,
}


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def con(tmp_path):
    connection = warehouse(tmp_path / "warehouse.duckdb", *RELATIONS, FACT_ASSETS)
    # the old units' last day: the unit-code rules read the reform's eve from this seed
    connection.execute(
        "create schema reference; create table reference.admin_units_before_reform as "
        "select '001' as unit_code, date '2025-06-30' as valid_to"
    )
    yield connection
    connection.close()


def suite_of(relation: str) -> str:
    return relation.split(".")[1]


def insert_with_sources(con, relation: str, rows) -> None:
    """The table's rows, and for a reconciled mart the clean rows it must add up to."""
    if relation in BEHIND:
        insert(con, *BEHIND[relation](CLEAN[relation]()))
    insert(con, relation, rows)


# --- clean tables pass --------------------------------------------------------------------------


@pytest.mark.parametrize("relation", RELATIONS, ids=suite_of)
def test_clean_table_passes_every_expectation(con, relation):
    rows = CLEAN[relation]()
    insert_with_sources(con, relation, rows)
    outcome = validate_table(con, relation, suite_of(relation))
    assert outcome.success, describe_failures(outcome)
    assert outcome.evaluated_rows == outcome.total_rows == len(rows)
    assert len(outcome.results) == len(load_suite(suite_of(relation)).expectations)


# --- one corruption per suite fails on its expectation and names the row ------------------------


def salary_amount_in_coefficient(rows):
    rows[3]["salary_coefficient"] = 4_680_000.0  # the monthly salary typed into the coefficient
    return rows[3]


def province_stopped_reporting(rows):
    rows[4].update(period=7, period_start=date(2025, 7, 1))  # province 01's latest is July
    return rows[4]


def negative_area(rows):
    rows[2]["area_m2"] = -350.5
    return rows[2]


def roster_collapses(rows):
    for row in rows[1], rows[3]:  # province 00 in August: 10 staff after 48 in July
        row["headcount"] = 5
    return rows[1]


def handling_staff_above_headcount(frame):
    frame.loc[2999, "handling_staff"] = frame.loc[2999, "headcount"] + 5
    return frame.loc[2999].to_dict()


def offices_not_in_the_fact(rows):
    rows[2]["offices_total"] += 5  # the fact holds 120 offices for province 22 in July
    return rows[2]


def priority_above_repurposed(rows):
    rows[3]["repurposed_priority"] = 12  # of 10 repurposed
    rows[3]["priority_share"] = 1.2
    return rows[3]


def disbursement_not_in_the_lines(rows):
    rows[2]["disbursed_vnd"] += 10**9
    return rows[2]


CORRUPTIONS = [
    (STAFF, salary_amount_in_coefficient, {(BETWEEN, "salary_coefficient")}),
    (BUDGET_LINES, province_stopped_reporting, STALE),
    (ASSETS, negative_area, {(BETWEEN, "area_m2")}),
    (
        CAPACITY,
        roster_collapses,
        {(PAIR, "province_month_headcount, province_previous_headcount_floor")},
    ),
    (RESOURCES, handling_staff_above_headcount, {(PAIR, "headcount, handling_staff")}),
    (PROVINCE_ASSETS, priority_above_repurposed, {(BETWEEN, "priority_share")}),
    (
        PROVINCE_ASSETS,
        offices_not_in_the_fact,
        {(EQUAL, "offices_total, offices_total_in_fct_assets")},
    ),
    (
        BUDGET_EXECUTION,
        disbursement_not_in_the_lines,
        {(EQUAL, "disbursed_vnd, disbursed_vnd_in_staged_lines")},
    ),
]


@pytest.mark.parametrize(
    ("relation", "corrupt", "expected"), CORRUPTIONS, ids=[suite_of(c[0]) for c in CORRUPTIONS]
)
def test_corruption_fails_on_its_expectation_and_names_the_row(con, relation, corrupt, expected):
    rows = CLEAN[relation]()
    offending = corrupt(rows)
    insert_with_sources(con, relation, rows)

    outcome = validate_table(con, relation, suite_of(relation))

    assert not outcome.success
    assert failed(outcome) == expected
    keys = load_suite(suite_of(relation)).meta["key_columns"]
    wanted = tuple(str(offending[k])[:10] for k in keys)
    for result in outcome.failed:
        assert result.notes, "every failure tells the auditor why it matters"
        named = {tuple(str(row[k])[:10] for k in keys) for row in result.sample_unexpected_rows}
        assert wanted in named, (result.expectation_type, result.sample_unexpected_rows)
    assert f"{keys[0]}={offending[keys[0]]}" in describe_failures(outcome)


def test_resources_mart_must_cover_every_commune_level_unit(con):
    insert(con, RESOURCES, resource_rows().iloc[:-1])
    outcome = validate_table(con, RESOURCES, "mart_unit_resources")
    assert failed(outcome) == {("expect_table_row_count_to_equal", "(table)")}
    assert outcome.failed[0].observed_value == COMMUNE_UNITS - 1


def test_messy_source_slips_are_tolerated_below_the_mostly_threshold(con):
    """One hand-typed slip in 200 inventory rows passes (mostly 0.99); swapped columns fail."""
    template = asset_rows()[0]
    rows = [dict(template, asset_code=f"A{i:04d}", asset_snapshot_id=f"h{i}") for i in range(200)]
    rows[17]["archive_records_digitised"] = rows[17]["archive_records"] + 5
    insert(con, ASSETS, rows)
    assert validate_table(con, ASSETS, "stg_asset_inventories__assets").success

    con.execute(
        f"update {ASSETS} set archive_records = 10, archive_records_digitised = 900"
        " where asset_code < 'A0010'"
    )
    outcome = validate_table(con, ASSETS, "stg_asset_inventories__assets")
    assert failed(outcome) == {(PAIR, "archive_records, archive_records_digitised")}
    assert outcome.failed[0].unexpected_count == 11  # the ten swapped rows and the first slip


# --- the suites against the dbt models ------------------------------------------------------------


@pytest.mark.parametrize("suite_name", SUITES)
def test_suite_columns_are_documented_in_the_model_yaml(suite_name):
    suite = load_suite(suite_name)
    assert suite.meta["key_columns"]
    short_notes = [
        e.expectation_type for e in suite.expectations if len((e.meta or {}).get("notes", "")) < 30
    ]
    assert short_notes == [], "auditors read every expectation's meta.notes"
    computed = set(computed_columns(suite))
    assert set(referenced_columns(suite)) - computed - model_columns(suite_name) == set()


def test_personal_data_columns_never_reach_the_roster_model():
    """GE 1.24 has no expectation that a column is absent (and the runner only reads the
    columns a suite names), so the rule is checked here on the model's SQL and YAML."""
    assert PERSONAL_COLUMNS & model_columns("stg_personnel_rosters__staff") == set()
    sql = (DBT_PROJECT_DIR / "models/staging/stg_personnel_rosters__staff.sql").read_text(
        encoding="utf-8"
    )
    assert re.findall(r"\b(?:full_name|national_id|birth_date)\b", sql) == []
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            documented = {c["name"] for c in node.get("columns", [])}
            assert PERSONAL_COLUMNS & documented == set(), (path.name, node["name"])
