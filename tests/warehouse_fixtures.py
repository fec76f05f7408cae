"""Tiny warehouses for the fast tests: the model contracts as DDL, one way to fill a table, and
the administrative units the report tests share.

The columns of every table are read from the dbt models' YAML (what the manifest is built
from), so a fixture cannot drift from its model: a renamed or dropped column fails the tests
that read it, and a new column with no known type fails every test that builds its table.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from orchestration.settings import DBT_PROJECT_DIR, dbt_command

MODELS_DIR = DBT_PROJECT_DIR / "models"
# The marts the pages read that roll up other marts: the fast tests build them with their
# real SQL (compiled by dbt) from the rows a test inserts into their sources.
ROLLUP_MODELS = (
    "mart_service_periods",
    "mart_procedure_processing",
    "mart_capacity_latest",
    "mart_staff_norm_gaps",
    "mart_specialisation_gaps",
    "mart_province_workload_monthly",
    "mart_exits_monthly",
    "mart_exits_since_reform",
    "mart_budget_execution_national",
    "mart_digital_budget_share",
    "mart_treasury_accounts_monthly",
    "mart_assets_latest",
    "mart_assets_status_monthly",
    "mart_asset_uses_latest",
    "mart_service_before_after_change",
)
COMPILE_DATABASE = "fixture"  # the database name compiled SQL qualifies relations with

# A column's type where its model YAML declares no `data_type`: one type per column name
# across the warehouse (the models keep to it; a model that differs declares data_type).
TYPES = {
    # bigint
    "active_staff": "bigint",
    "allocated_vnd": "bigint",
    "benefit_delay_months_sum": "bigint",
    "benefit_due_vnd": "bigint",
    "benefit_paid_vnd": "bigint",
    "benefit_settled_leavers": "bigint",
    "benefits_due_since_reform_vnd": "bigint",
    "benefits_due_vnd": "bigint",
    "benefits_paid_since_reform_vnd": "bigint",
    "benefits_paid_vnd": "bigint",
    "book_value_vnd": "bigint",
    "decisions_timed": "bigint",
    "devolved_dossiers": "bigint",
    "digital_transformation_allocated_vnd": "bigint",
    "disbursed_vnd": "bigint",
    "disposed": "bigint",
    "dossiers_finished": "bigint",
    "dossiers_received": "bigint",
    "expenditure_allocated_vnd": "bigint",
    "expenditure_disbursed_vnd": "bigint",
    "finished_early": "bigint",
    "finished_on_time": "bigint",
    "finished_overdue": "bigint",
    "full_online_denominator": "bigint",
    "full_online_numerator": "bigint",
    "handling_staff": "bigint",
    "headcount": "bigint",
    "joiners": "bigint",
    "leavers_dismissal": "bigint",
    "leavers_early_retirement": "bigint",
    "leavers_resignation": "bigint",
    "leavers_retirement": "bigint",
    "leavers_total": "bigint",
    "leavers_transfer": "bigint",
    "offices_total": "bigint",
    "on_time_denominator": "bigint",
    "on_time_numerator": "bigint",
    "online_numerator": "bigint",
    "online_payment_denominator": "bigint",
    "online_payment_numerator": "bigint",
    "open_past_due": "bigint",
    "open_within_due": "bigint",
    "overdue_numerator": "bigint",
    "planned_vnd": "bigint",
    "population": "bigint",
    "processing_days_count": "bigint",
    "repurposed": "bigint",
    "repurposed_priority": "bigint",
    "repurposing": "bigint",
    "resource_gap": "bigint",
    "resource_rank": "bigint",
    "satisfaction_high": "bigint",
    "satisfaction_rated": "bigint",
    "specialisations_filled": "bigint",
    "specialisations_required": "bigint",
    "staff_norm": "bigint",
    "staff_norm_gap": "bigint",
    "surplus_offices": "bigint",
    "units_reporting": "bigint",
    "waiting": "bigint",
    "workload_rank": "bigint",
    # boolean
    "components_digitised": "boolean",
    "data_reused": "boolean",
    "fee_bearing": "boolean",
    "fee_paid_online": "boolean",
    "is_devolved": "boolean",
    "is_full_online_capable": "boolean",
    "is_fully_online": "boolean",
    "is_office": "boolean",
    "is_online": "boolean",
    "is_priority_repurpose": "boolean",
    "is_required": "boolean",
    "is_top_workload_quartile": "boolean",
    "resource_gap_flag": "boolean",
    "result_digitised": "boolean",
    "synced_to_portal": "boolean",
    # date
    "decided_on": "date",
    "devolved_on": "date",
    "event_date": "date",
    "headcount_month_start": "date",
    "joined_on": "date",
    "left_on": "date",
    "month_start": "date",
    "period_start": "date",
    "snapshot_date": "date",
    "status_since": "date",
    "surplus_since": "date",
    "treasury_account_opened_on": "date",
    # double
    "allocated_vnd_per_devolved_dossier": "double",
    "allocated_vnd_per_resident": "double",
    "archive_digitised_share": "double",
    "area_m2": "double",
    "avg_processing_days": "double",
    "benefit_delay_months_avg": "double",
    "benefit_payment_ratio": "double",
    "budget_execution_rate": "double",
    "devolved_dossiers_per_10k_residents": "double",
    "digital_transformation_share": "double",
    "execution_rate": "double",
    "full_online_share": "double",
    "median_days_to_decision": "double",
    "on_time_rate": "double",
    "online_payment_share": "double",
    "online_share": "double",
    "overdue_rate": "double",
    "priority_share": "double",
    "processing_days": "double",
    "processing_working_days": "double",
    "promised_working_days": "double",
    "processing_days_sum": "double",
    "repurposed_share": "double",
    "resource_score": "double",
    "salary_coefficient": "double",
    "satisfaction_share": "double",
    "specialist_coverage": "double",
    "staff_per_1000_devolved_dossiers": "double",
    "staff_per_10k_residents": "double",
    "supplement_days": "double",
    "surplus_land_area_m2": "double",
    "workload_per_handling_staff": "double",
    # integer
    "archive_records": "integer",
    "archive_records_digitised": "integer",
    "days_in_status": "integer",
    "days_to_decision": "integer",
    "fiscal_year": "integer",
    "period": "integer",
    "satisfaction_score": "integer",
    "statutory_days": "integer",
    "supplement_requests": "integer",
    # timestamp
    "due_at": "timestamp",
    "event_at": "timestamp",
    "finished_at": "timestamp",
    "promised_at": "timestamp",
    "received_at": "timestamp",
    "result_returned_at": "timestamp",
    "submitted_at": "timestamp",
    # varchar
    "address": "varchar",
    "age_band": "varchar",
    "applicant_key": "varchar",
    "applicant_type": "varchar",
    "asset_code": "varchar",
    "asset_snapshot_id": "varchar",
    "asset_snapshot_key": "varchar",
    "asset_type": "varchar",
    "budget_item": "varchar",
    "budget_line_id": "varchar",
    "category": "varchar",
    "channel": "varchar",
    "description": "varchar",
    "devolved_from": "varchar",
    "dossier_code": "varchar",
    "event_id": "varchar",
    "event_type": "varchar",
    "exit_reason": "varchar",
    "file_id": "varchar",
    "finish_event": "varchar",
    "flow": "varchar",
    "former_unit_code": "varchar",
    "handler_ref": "varchar",
    "level": "varchar",
    "national_id_key": "varchar",
    "online_capability": "varchar",
    "position": "varchar",
    "procedure_code": "varchar",
    "procedure_name": "varchar",
    "province_code": "varchar",
    "province_name": "varchar",
    "qualification": "varchar",
    "repurposed_to": "varchar",
    "sector": "varchar",
    "specialisation": "varchar",
    "specialisation_name_vi": "varchar",
    "staff_code": "varchar",
    "staff_snapshot_id": "varchar",
    "staffing_month_key": "varchar",
    "status": "varchar",
    "step_name": "varchar",
    "timeliness": "varchar",
    "unit_code": "varchar",
    "unit_level": "varchar",
    "unit_name": "varchar",
    "unit_type": "varchar",
}


@cache
def model_columns() -> dict[str, list[dict]]:
    """model name -> its columns as declared in the YAML under dbt_project/models."""
    models = {}
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = model.get("columns", [])
    return models


def columns(relation: str) -> list[tuple[str, str]]:
    """(name, type) of each column of relation (schema.model), in the model YAML's order."""
    model = relation.split(".", 1)[1]
    declared = model_columns().get(model)
    if not declared:
        raise KeyError(f"{relation}: no model {model} with columns in {MODELS_DIR}")
    missing = [c["name"] for c in declared if "data_type" not in c and c["name"] not in TYPES]
    if missing:
        raise KeyError(f"{relation}: no data_type in the YAML and no known type for {missing}")
    return [(c["name"], c.get("data_type") or TYPES[c["name"]]) for c in declared]


# The roll-ups the service-delivery page reads, and their sources (render_site renders it on every
# report test's warehouse; build_rollups makes the roll-ups from them).
SERVICE_TABLES = (
    "marts.dim_admin_unit",
    "marts.dim_procedure",
    "marts.fct_dossiers",
    "marts.mart_unit_service_monthly",
)
SERVICE_ROLLUPS = ("mart_service_periods", "mart_procedure_processing")


def ddl(*relations: str) -> str:
    """The schemas and tables of relations, created empty."""
    schemas = dict.fromkeys(relation.split(".")[0] for relation in relations)
    return "".join(f"create schema if not exists {schema};\n" for schema in schemas) + "".join(
        f"create table {relation} ({', '.join(f'{n} {t}' for n, t in columns(relation))});\n"
        for relation in relations
    )


def warehouse(path: Path, *relations: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB file at path (under the test's tmp_path) with the empty tables of relations."""
    con = duckdb.connect(str(path))
    con.execute(ddl(*relations))
    return con


@cache
def compiled_rollups() -> dict[str, str]:
    """model -> its SQL as dbt compiles it for DuckDB (one `dbt compile` per test session),
    relations unqualified so they resolve in whichever tiny warehouse runs it."""
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {
            "REFORMWATCH_WAREHOUSE": str(Path(tmp) / f"{COMPILE_DATABASE}.duckdb"),
            "REFORMWATCH_TMP_DIR": str(Path(tmp) / "spill"),
        }
        subprocess.run(
            dbt_command(
                "compile",
                "--quiet",
                "--target-path",
                str(Path(tmp) / "target"),
                "--select",
                *ROLLUP_MODELS,
            ),
            check=True,
            env=env,
            cwd=DBT_PROJECT_DIR.parent,
            stdout=subprocess.DEVNULL,
        )
        compiled = {
            path.stem: path.read_text(encoding="utf-8")
            for path in (Path(tmp) / "target" / "compiled").rglob("*.sql")
        }
    return {m: compiled[m].replace(f'"{COMPILE_DATABASE}".', "") for m in ROLLUP_MODELS}


def build_rollups(con: duckdb.DuckDBPyConnection, *models: str) -> None:
    """Roll-up marts (all by default), built by their dbt SQL from what the warehouse holds."""
    compiled = compiled_rollups()
    for model in models or ROLLUP_MODELS:
        con.execute(f"create or replace table marts.{model} as {compiled[model]}")


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
