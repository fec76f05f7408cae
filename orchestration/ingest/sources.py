"""The landing contracts, one per source (`docs/sources.md`)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import cache

import polars as pl

from orchestration.ingest.contract import (
    Check,
    Column,
    Dialect,
    SourceContract,
    allowed,
    at_least,
    in_range,
    known,
    valid_from,
    valid_until,
    within_period,
)
from orchestration.project_vars import calendar_end, calendar_start
from orchestration.settings import SEEDS_DIR


@cache
def seed_values(seed: str, column: str) -> frozenset[str]:
    """Reference codes from the committed seeds: ingest checks against the same truth as dbt."""
    with (SEEDS_DIR / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row[column] for row in csv.DictReader(handle))


def current_units() -> frozenset[str]:
    return seed_values("admin_units", "unit_code")


def units_before_reform() -> frozenset[str]:
    """Provinces, districts and communes of before 1 July 2025 (codes of their time)."""
    return seed_values("admin_units_before_reform", "unit_code")


def units_of_any_time() -> frozenset[str]:
    return current_units() | units_before_reform()


def last_day_before_reform() -> date:
    """The old units' last day, from their seed (2025-06-30): the reform's eve."""
    [last_day] = seed_values("admin_units_before_reform", "valid_to")
    return date.fromisoformat(last_day)


def abolished_units() -> tuple[frozenset[str], date]:
    """Codes of units that ended on the reform's eve and whose code no unit carries today."""
    return units_before_reform() - current_units(), last_day_before_reform()


def new_units() -> tuple[frozenset[str], date]:
    """Codes of today's units that no unit carried before the reform, and its first day."""
    return current_units() - units_before_reform(), last_day_before_reform() + timedelta(days=1)


def unit_code_checks(record_date: Callable[[], pl.Expr]) -> tuple[Check, ...]:
    """A unit code must be a unit's on the record's date: known at some time, and neither a
    code abolished by the reform on a record after it nor a new code on a record before it.
    Codes reused across the reform (most of today's) are valid on both sides, for the unit
    of the time; the three failures share the reason code `unknown_unit`."""
    return (
        known(
            "administrative unit (of before or after 1 July 2025)",
            "unknown_unit",
            units_of_any_time,
        ),
        valid_until(
            "valid on the record's date: a code of a unit abolished on 1 July 2025, on a "
            "record dated after the reform",
            "unknown_unit",
            record_date,
            abolished_units,
        ),
        valid_from(
            "valid on the record's date: a code of a unit created on 1 July 2025, on a record "
            "dated before the reform",
            "unknown_unit",
            record_date,
            new_units,
        ),
    )


def catalogued_procedures() -> frozenset[str]:
    return seed_values("procedure_catalogue", "procedure_code")


# A dossier's own events: the on-time clock reads these (stg_procedure_logs__events).
DOSSIER_EVENT_TYPES = (
    "submitted",
    "received",
    "assigned",
    "step_started",
    "step_completed",
    "supplement_requested",
    "supplement_received",
    "fee_requested",
    "completed",
    "result_returned",
    "withdrawn",
    "rejected",
)
# Complaints and feedback about a dossier (Decision 766 satisfaction group), staged apart
# (stg_procedure_logs__feedback); the status-code exports have no code for them
# (docs/sources.md, source 1).
FEEDBACK_EVENT_TYPES = ("complaint_received", "complaint_answered")
EVENT_TYPES = DOSSIER_EVENT_TYPES + FEEDBACK_EVENT_TYPES
CHANNELS = ("direct", "postal", "online_partial", "online_full")
APPLICANT_TYPES = ("citizen", "business")

UNIT_CODE_ON_EVENT_DAY = unit_code_checks(lambda: pl.col("event_at").dt.date())
UNIT_CODE_ON_SNAPSHOT_DAY = unit_code_checks(lambda: pl.col("snapshot_date"))
# a budget line is dated by its period's first day (a bad period is another check's failure)
UNIT_CODE_IN_PERIOD = unit_code_checks(
    lambda: pl.date(pl.col("fiscal_year"), pl.col("period").clip(1, 12), 1)
)

# The monitored period is dbt's calendar (vars calendar_start .. calendar_end, dim_date's
# range): a row placed in time by a date outside it cannot be judged, and would fail dbt's
# relationship to dim_date. Promised return dates look ahead, so they may run past the
# period's end by up to PROMISE_TOLERANCE.
PROMISE_TOLERANCE = timedelta(days=366)
PERIOD = f"within the monitored period {calendar_start()} .. {calendar_end()}"
IN_PERIOD_DATE = within_period(calendar_start(), calendar_end(), PERIOD)
IN_PERIOD_TIME = within_period(
    datetime.combine(calendar_start(), time.min),
    datetime.combine(calendar_end(), time.max),
    PERIOD,
)
PROMISE_IN_PERIOD = within_period(
    datetime.combine(calendar_start(), time.min),
    datetime.combine(calendar_end() + PROMISE_TOLERANCE, time.max),
    f"within the monitored period {calendar_start()} .. {calendar_end()} "
    f"(+{PROMISE_TOLERANCE.days} days for a promise)",
)

# The provincial one-stop-shop systems export status and channel codes under Vietnamese
# headers; the codes are documented in sources.md and DEVELOPERS.md.
STATUS_CODE_DIALECT = Dialect(
    name="status_codes",
    renames={
        "ma_ho_so": "dossier_code",
        "ma_thu_tuc": "procedure_code",
        "ma_don_vi": "unit_code",
        "trang_thai": "event_type",
        "thoi_diem": "event_at",
        "kenh": "channel",
        "han_tra": "due_at",
        "buoc_xu_ly": "step_name",
        "can_bo_xu_ly": "handler_ref",
        "ma_nguoi_nop": "applicant_id",
        "loai_nguoi_nop": "applicant_type",
        "thanh_toan_truc_tuyen": "fee_paid_online",
        "ket_qua_dien_tu": "result_digitised",
        "dong_bo_cong_quoc_gia": "synced_to_portal",
        "thanh_phan_so_hoa": "components_digitised",
        "tai_su_dung_du_lieu": "data_reused",
        "diem_hai_long": "satisfaction_score",
    },
    expressions={
        "event_type": """case "trang_thai"
            when '1' then 'submitted' when '2' then 'received' when '3' then 'rejected'
            when '4' then 'step_started' when '5' then 'supplement_requested'
            when '6' then 'fee_requested' when '7' then 'withdrawn' when '8' then 'rejected'
            when '9' then 'completed' when '10' then 'result_returned'
            else "trang_thai" end""",
        "channel": """case
            when "kenh" = '1' then 'direct' when "kenh" = '3' then 'postal'
            when "kenh" = '2' and "muc_do" = '4' then 'online_full'
            when "kenh" = '2' then 'online_partial'
            else "kenh" end""",
        "applicant_type": """case "loai_nguoi_nop"
            when 'cong_dan' then 'citizen' when 'doanh_nghiep' then 'business'
            else "loai_nguoi_nop" end""",
    },
    uses=("muc_do",),
)

PROCEDURE_LOGS = SourceContract(
    name="procedure_logs",
    table="procedure_log_events",
    description="One row per dossier event from the one-stop-shop systems.",
    business_key=("dossier_code", "event_type", "event_at", "step_name"),
    month_of_row="""strftime("event_at", '%Y-%m')""",
    dialects=(Dialect("canonical"), STATUS_CODE_DIALECT),
    columns=(
        Column("dossier_code", required=True, code=True),
        Column(
            "procedure_code",
            required=True,
            code=True,
            checks=(known("catalogued procedure", "unknown_procedure", catalogued_procedures),),
        ),
        Column("unit_code", required=True, code=True, checks=UNIT_CODE_ON_EVENT_DAY),
        Column(
            "event_type",
            required=True,
            checks=(allowed(EVENT_TYPES, parts=(DOSSIER_EVENT_TYPES, FEEDBACK_EVENT_TYPES)),),
        ),
        Column("event_at", "timestamp", required=True, checks=(IN_PERIOD_TIME,)),
        Column("channel", required=True, checks=(allowed(CHANNELS),)),
        Column("due_at", "timestamp", checks=(PROMISE_IN_PERIOD,)),
        Column("step_name", code=True),
        Column("handler_ref", code=True),
        Column(
            "applicant_id",
            personal="pseudonymise",
            stored_name="applicant_key",
            checks=(),
        ),
        Column("applicant_type", checks=(allowed(APPLICANT_TYPES),)),
        Column("fee_paid_online", "boolean"),
        Column("result_digitised", "boolean"),
        Column("synced_to_portal", "boolean"),
        Column("components_digitised", "boolean"),
        Column("data_reused", "boolean"),
        Column("satisfaction_score", "integer", checks=(in_range(1, 5),)),
    ),
)

POSITIONS = (
    "chairman",
    "vice_chairman",
    "party_secretary",
    "civil_servant",
    "cadre",
    "contract_staff",
)
SPECIALISATIONS = (
    "justice_civil_status",
    "land",
    "finance_accounting",
    "construction",
    "it_digital",
    "culture_social",
    "general_administration",
    "agriculture",
    "security",
    "other",
)
STAFF_STATUSES = ("active", "on_leave", "left")
EXIT_REASONS = ("early_retirement", "resignation", "retirement", "transfer", "dismissal")
NOT_NEGATIVE = at_least(0)

PERSONNEL_ROSTERS = SourceContract(
    name="personnel_rosters",
    table="personnel_roster_rows",
    description="Monthly staff snapshot per province from the provincial HR offices.",
    business_key=("staff_code", "snapshot_date"),
    month_of_row="""strftime("snapshot_date", '%Y-%m')""",
    columns=(
        Column("snapshot_date", "date", required=True, checks=(IN_PERIOD_DATE,)),
        Column("staff_code", required=True, code=True),
        Column("full_name", personal="drop"),
        Column("national_id", personal="pseudonymise", stored_name="national_id_key"),
        Column("birth_date", personal="age_band", stored_name="age_band"),
        Column("unit_code", required=True, code=True, checks=UNIT_CODE_ON_SNAPSHOT_DAY),
        Column("position", required=True, checks=(allowed(POSITIONS),)),
        Column("specialisation", checks=(allowed(SPECIALISATIONS),)),
        Column("qualification"),
        Column("salary_coefficient", "decimal", checks=(in_range(1.0, 12.0),)),
        Column("status", required=True, checks=(allowed(STAFF_STATUSES),)),
        Column("joined_on", "date"),
        Column("left_on", "date"),
        Column("exit_reason", checks=(allowed(EXIT_REASONS),)),
        Column("benefit_due_vnd", "amount", checks=(NOT_NEGATIVE,)),
        Column("benefit_paid_vnd", "amount", checks=(NOT_NEGATIVE,)),
    ),
)

BUDGET_LEVELS = ("province", "commune")
# Each category belongs to one flow (dbt and GE check the pairing on staged lines).
CATEGORIES_BY_FLOW = {
    "expenditure": (
        "recurrent_operations",
        "development_investment",
        "restructuring_benefits",
        "digital_transformation",
    ),
    "revenue": ("devolved_revenue", "fees_and_charges", "land_use_fees", "transfers_from_province"),
}
FLOWS = ("revenue", "expenditure")
BUDGET_CATEGORIES = tuple(c for categories in CATEGORIES_BY_FLOW.values() for c in categories)

BUDGET_ALLOCATIONS = SourceContract(
    name="budget_allocations",
    table="budget_allocation_rows",
    description="Planned, allocated and disbursed amounts per unit, period and category.",
    business_key=("fiscal_year", "period", "unit_code", "flow", "category", "budget_item"),
    month_of_row="""printf('%04d-%02d', "fiscal_year", "period")""",
    columns=(
        Column("fiscal_year", "integer", required=True, checks=(in_range(2020, 2035),)),
        Column("period", "integer", required=True, checks=(in_range(1, 12),)),
        Column("unit_code", required=True, code=True, checks=UNIT_CODE_IN_PERIOD),
        Column("level", required=True, checks=(allowed(BUDGET_LEVELS),)),
        Column("flow", required=True, checks=(allowed(FLOWS),)),
        Column("category", required=True, checks=(allowed(BUDGET_CATEGORIES),)),
        Column("budget_item", required=True, code=True),
        Column("planned_vnd", "amount", checks=(NOT_NEGATIVE,)),
        Column("allocated_vnd", "amount", checks=(NOT_NEGATIVE,)),
        Column("disbursed_vnd", "amount", checks=(NOT_NEGATIVE,)),
        Column("treasury_account_opened_on", "date"),
    ),
)

ASSET_TYPES = ("office_building", "land", "cultural_house", "vehicle", "equipment", "other")
ASSET_STATUSES = ("in_use", "surplus", "repurposing", "repurposed", "disposed")
REPURPOSES = ("education", "healthcare", "culture", "sports", "social_welfare", "other")

ASSET_INVENTORIES = SourceContract(
    name="asset_inventories",
    table="asset_inventory_rows",
    description="Snapshot of public offices, land and other assets per province.",
    business_key=("asset_code", "snapshot_date"),
    month_of_row="""strftime("snapshot_date", '%Y-%m')""",
    columns=(
        Column("snapshot_date", "date", required=True, checks=(IN_PERIOD_DATE,)),
        Column("asset_code", required=True, code=True),
        Column("asset_type", required=True, checks=(allowed(ASSET_TYPES),)),
        Column("unit_code", required=True, code=True, checks=UNIT_CODE_ON_SNAPSHOT_DAY),
        # Pre-merger codes are expected here: they name the unit the office belonged to.
        Column("former_unit_code", code=True),
        Column("address"),
        Column("area_m2", "decimal", checks=(NOT_NEGATIVE,)),
        Column("book_value_vnd", "amount", checks=(NOT_NEGATIVE,)),
        Column("status", required=True, checks=(allowed(ASSET_STATUSES),)),
        Column("repurposed_to", checks=(allowed(REPURPOSES),)),
        Column("status_since", "date"),
        Column("archive_records", "integer", checks=(NOT_NEGATIVE,)),
        Column("archive_records_digitised", "integer", checks=(NOT_NEGATIVE,)),
    ),
)

SOURCES: dict[str, SourceContract] = {
    c.name: c for c in (PROCEDURE_LOGS, PERSONNEL_ROSTERS, BUDGET_ALLOCATIONS, ASSET_INVENTORIES)
}
