"""Tiny warehouses for the fast tests: the model contracts as DDL, one way to fill a table, and
the administrative units the report tests share.

Every table has all the columns of its dbt model (the contracts of DEVELOPERS.md), so a renamed
or dropped column fails the tests that read it; test_quality_capacity_assets checks the tables
it uses against the models' YAML.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

# relation -> its columns, as the dbt model builds them
COLUMNS = {
    "marts.dim_admin_unit": """
    unit_code varchar, unit_name varchar, unit_level varchar, unit_type varchar,
    province_code varchar, province_name varchar, population bigint""",
    "marts.dim_procedure": """
    procedure_code varchar, procedure_name varchar, sector varchar, level varchar,
    statutory_days integer, online_capability varchar, is_full_online_capable boolean,
    fee_bearing boolean, devolved_from varchar, devolved_on date, is_devolved boolean,
    status varchar""",
    "marts.dim_specialisation": """
    specialisation varchar, specialisation_name_vi varchar, description varchar,
    is_required boolean""",
    "marts.fct_dossiers": """
    dossier_code varchar, procedure_code varchar, unit_code varchar, province_code varchar,
    channel varchar, applicant_type varchar, submitted_at timestamp, received_at timestamp,
    promised_at timestamp, finished_at timestamp, finish_event varchar,
    result_returned_at timestamp, supplement_requests integer, supplement_days double,
    processing_days double, processing_working_days double, timeliness varchar,
    is_online boolean, is_fully_online boolean,
    is_full_online_capable boolean, fee_bearing boolean, fee_paid_online boolean,
    synced_to_portal boolean, components_digitised boolean, result_digitised boolean,
    data_reused boolean, satisfaction_score integer, is_devolved boolean""",
    "marts.fct_staffing_monthly": """
    staffing_month_key varchar, unit_code varchar, province_code varchar, month_start date,
    position varchar, specialisation varchar, headcount bigint, active_staff bigint,
    joiners bigint, leavers_total bigint, leavers_early_retirement bigint,
    leavers_resignation bigint, leavers_retirement bigint, leavers_transfer bigint,
    leavers_dismissal bigint, benefits_due_vnd bigint, benefits_paid_vnd bigint""",
    "marts.fct_assets": """
    asset_snapshot_key varchar, asset_code varchar, snapshot_date date, month_start date,
    unit_code varchar, province_code varchar, former_unit_code varchar, asset_type varchar,
    is_office boolean, area_m2 double, book_value_vnd bigint, status varchar,
    repurposed_to varchar, status_since date, days_in_status integer,
    is_priority_repurpose boolean, surplus_since date, decided_on date,
    days_to_decision integer, archive_records integer, archive_records_digitised integer""",
    "marts.mart_unit_service_monthly": """
    unit_code varchar, province_code varchar, month_start date,
    dossiers_received bigint, dossiers_finished bigint, finished_early bigint,
    finished_on_time bigint, finished_overdue bigint, open_within_due bigint,
    open_past_due bigint, on_time_numerator bigint, on_time_denominator bigint,
    on_time_rate double, overdue_rate double, full_online_numerator bigint,
    full_online_denominator bigint, full_online_share double,
    online_payment_numerator bigint, online_payment_denominator bigint,
    online_payment_share double, online_numerator bigint, online_share double,
    processing_days_sum double, processing_days_count bigint, avg_processing_days double,
    satisfaction_high bigint, satisfaction_rated bigint, satisfaction_share double""",
    "marts.mart_unit_capacity_monthly": """
    unit_code varchar, province_code varchar, unit_type varchar, month_start date,
    population bigint, headcount bigint, staff_per_10k_residents double, staff_norm bigint,
    staff_norm_gap bigint, specialisations_required bigint, specialisations_filled bigint,
    specialist_coverage double, handling_staff bigint, dossiers_finished bigint,
    workload_per_handling_staff double, joiners bigint, leavers_total bigint,
    leavers_early_retirement bigint, leavers_resignation bigint, leavers_retirement bigint,
    leavers_transfer bigint, leavers_dismissal bigint, benefits_due_vnd bigint,
    benefits_paid_vnd bigint, benefits_due_since_reform_vnd bigint,
    benefits_paid_since_reform_vnd bigint, benefit_payment_ratio double,
    benefit_settled_leavers bigint, benefit_delay_months_sum bigint,
    benefit_delay_months_avg double""",
    "marts.mart_unit_resources": """
    unit_code varchar, province_code varchar, unit_type varchar, population bigint,
    period_start date, headcount_month_start date, devolved_dossiers bigint,
    dossiers_received bigint, devolved_dossiers_per_10k_residents double, headcount bigint,
    handling_staff bigint, staff_per_10k_residents double, expenditure_allocated_vnd bigint,
    expenditure_disbursed_vnd bigint, digital_transformation_allocated_vnd bigint,
    digital_transformation_share double, budget_execution_rate double,
    allocated_vnd_per_resident double, staff_per_1000_devolved_dossiers double,
    allocated_vnd_per_devolved_dossier double, workload_rank bigint,
    is_top_workload_quartile boolean, resource_score double, resource_rank bigint,
    resource_gap bigint, resource_gap_flag boolean, treasury_account_opened_on date""",
    "marts.mart_province_assets": """
    province_code varchar, month_start date, snapshot_date date, offices_total bigint,
    surplus_offices bigint, waiting bigint, repurposing bigint, repurposed bigint,
    disposed bigint, surplus_land_area_m2 double, repurposed_priority bigint,
    repurposed_share double, priority_share double, decisions_timed bigint,
    median_days_to_decision double, archive_records bigint, archive_records_digitised bigint,
    archive_digitised_share double""",
    "marts.mart_budget_execution": """
    province_code varchar, fiscal_year integer, level varchar, flow varchar, category varchar,
    units_reporting bigint, planned_vnd bigint, allocated_vnd bigint, disbursed_vnd bigint,
    execution_rate double""",
    "staging.stg_procedure_logs__events": """
    event_id varchar, dossier_code varchar, procedure_code varchar, unit_code varchar,
    province_code varchar, event_type varchar, event_at timestamp, event_date date,
    channel varchar, due_at timestamp, step_name varchar, handler_ref varchar,
    applicant_key varchar, applicant_type varchar, fee_paid_online boolean,
    result_digitised boolean, synced_to_portal boolean, components_digitised boolean,
    data_reused boolean, satisfaction_score integer, file_id varchar""",
    "staging.stg_personnel_rosters__staff": """
    staff_snapshot_id varchar, snapshot_date date, month_start date, staff_code varchar,
    national_id_key varchar, age_band varchar, unit_code varchar, province_code varchar,
    position varchar, specialisation varchar, qualification varchar,
    salary_coefficient double, status varchar, joined_on date, left_on date,
    exit_reason varchar, benefit_due_vnd bigint, benefit_paid_vnd bigint, file_id varchar""",
    "staging.stg_budget_allocations__lines": """
    budget_line_id varchar, fiscal_year integer, period integer, period_start date,
    unit_code varchar, province_code varchar, level varchar, flow varchar, category varchar,
    budget_item varchar, planned_vnd bigint, allocated_vnd bigint, disbursed_vnd bigint,
    treasury_account_opened_on date, file_id varchar""",
    "staging.stg_asset_inventories__assets": """
    asset_snapshot_id varchar, snapshot_date date, month_start date, asset_code varchar,
    asset_type varchar, unit_code varchar, province_code varchar, former_unit_code varchar,
    address varchar, area_m2 double, book_value_vnd bigint, status varchar,
    repurposed_to varchar, status_since date, archive_records integer,
    archive_records_digitised integer, file_id varchar""",
}

# What the service-delivery page reads (render_site renders it on every report test's warehouse).
SERVICE_TABLES = (
    "marts.dim_admin_unit",
    "marts.dim_procedure",
    "marts.fct_dossiers",
    "marts.mart_unit_service_monthly",
)


def ddl(*relations: str) -> str:
    """The schemas and tables of relations, created empty."""
    schemas = dict.fromkeys(relation.split(".")[0] for relation in relations)
    return "".join(f"create schema if not exists {schema};\n" for schema in schemas) + "".join(
        f"create table {relation} ({COLUMNS[relation]});\n" for relation in relations
    )


def warehouse(path: Path, *relations: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB file at path (under the test's tmp_path) with the empty tables of relations."""
    con = duckdb.connect(str(path))
    con.execute(ddl(*relations))
    return con


def insert(con: duckdb.DuckDBPyConnection, relation: str, rows) -> None:
    """Rows (a frame or a list of dicts) into relation by column name; the rest stay null."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    con.register("incoming_rows", frame)
    con.execute(f"insert into {relation} by name select * from incoming_rows")
    con.unregister("incoming_rows")


# The administrative units of the report tests: two provinces and their commune-level units.
PROVINCES = {"01": "Thành phố Hà Nội", "22": "Tỉnh Quảng Ninh"}
UNITS = [
    # unit_code, unit_name, unit_level, unit_type, province_code
    ("01", "Thành phố Hà Nội", "province", "municipality", "01"),
    ("22", "Tỉnh Quảng Ninh", "province", "province", "22"),
    ("00004", "Phường Ba Đình", "commune", "ward", "01"),
    ("00008", "Xã Sóc Sơn", "commune", "commune", "01"),
    ("06700", "Đặc khu Vân Đồn", "commune", "special_zone", "22"),
    ("06800", "Phường Hạ Long", "commune", "ward", "22"),  # no service activity at all
]


def province_of(unit_code: str) -> str:
    return next(u[4] for u in UNITS if u[0] == unit_code)


def report_warehouse(path: Path, *relations: str) -> duckdb.DuckDBPyConnection:
    """A warehouse with the tables of relations and UNITS in marts.dim_admin_unit."""
    con = warehouse(path, *relations)
    units = pd.DataFrame(
        UNITS, columns=["unit_code", "unit_name", "unit_level", "unit_type", "province_code"]
    ).assign(province_name=lambda d: d["province_code"].map(PROVINCES))
    insert(con, "marts.dim_admin_unit", units)
    return con
