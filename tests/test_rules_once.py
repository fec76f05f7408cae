"""Each data rule is written once: the landing contract owns allowed values, ranges and reason
codes; the dbt project's vars own the reform date and the monitored period; GE suites check
what dbt tests do not.

Every other place that must restate a rule (dbt `accepted_values`, GE value sets, the
simulator's value lists) is compared here with its owner, so a change in one place fails
until the others follow. dbt tests are read from the manifest (`dbt parse`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from orchestration import project_vars
from orchestration.ingest.contract import REASON_CODES, Column
from orchestration.ingest.sources import CATEGORIES_BY_FLOW, SOURCES
from orchestration.quality.ge_runner import expectation_columns, load_suite
from orchestration.settings import EXPECTATIONS_DIR, dbt_command
from simulator import asset_inventories, budget, calendar, catalogue, faults, staffing, units

RAW_SOURCE = "source.reformwatch.raw."


# --- the dbt manifest ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def model_name(node_id: str) -> str:
    return node_id.rsplit(".", 1)[-1]


def raw_tables_upstream(manifest: dict, node_id: str) -> set[str]:
    """The raw tables a model is built from, following refs down to the sources."""
    seen: set[str] = set()
    stack, tables = [node_id], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.startswith(RAW_SOURCE):
            tables.add(current.removeprefix(RAW_SOURCE))
        node = manifest["nodes"].get(current) or {}
        stack.extend(node.get("depends_on", {}).get("nodes", []))
    return tables


def dbt_tests(manifest: dict) -> list[dict]:
    """Generic data tests as {model, model_id, column, name, kwargs, severity}."""
    tests = []
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata")
        if node["resource_type"] != "test" or not meta or not node.get("attached_node"):
            continue
        tests.append(
            dict(
                model=model_name(node["attached_node"]),
                model_id=node["attached_node"],
                column=node.get("column_name"),
                name=meta["name"],
                kwargs=meta.get("kwargs") or {},
                severity=str(node["config"].get("severity", "error")).lower(),
            )
        )
    return tests


def contract_column(manifest: dict, model_id: str, column: str) -> Column | None:
    """The contract column a model's `column` comes from: same name, in a contract whose raw
    table the model is built from; None when no contract rules it."""
    tables = raw_tables_upstream(manifest, model_id)
    found = [
        c
        for contract in SOURCES.values()
        if contract.table in tables
        for c in contract.stored_columns
        if c.raw_name == column and (c.allowed_values or c.bounds)
    ]
    assert len(found) <= 1, f"{column} is ruled by more than one upstream contract"
    return found[0] if found else None


def contract_values(manifest: dict, model_id: str, column: str) -> set[str] | None:
    """The contract's allowed values as strings (the way a test compares them)."""
    rule = contract_column(manifest, model_id, column)
    return {str(v) for v in rule.allowed_values} if rule and rule.allowed_values else None


# Model columns that share a name with a contract column but are another thing: a roll-up's
# `period` is its grain (month, quarter, year, whole), not a budget line's month number.
NOT_FROM_THE_CONTRACT = {("mart_service_govuk", "period")}


def contract_parts(manifest: dict, model_id: str, column: str) -> list[set[str]]:
    """The subsets of the allowed values the contract lets models stage apart."""
    rule = contract_column(manifest, model_id, column)
    parts = next((c.parts for c in rule.checks if c.parts), ()) if rule else ()
    return [{str(v) for v in part} for part in parts]


def accepted_values_disagreements(manifest: dict) -> list[str]:
    wrong = []
    for test in dbt_tests(manifest):
        if test["name"] != "accepted_values":
            continue
        if (test["model"], test["column"]) in NOT_FROM_THE_CONTRACT:
            continue
        allowed = contract_values(manifest, test["model_id"], test["column"])
        written = {str(v) for v in test["kwargs"]["values"]}
        parts = contract_parts(manifest, test["model_id"], test["column"])
        if allowed is not None and written != allowed and written not in parts:
            wrong.append(
                f"{test['model']}.{test['column']}: dbt {sorted(written)} "
                f"!= contract {sorted(allowed)}"
            )
    return wrong


def test_dbt_accepted_values_agree_with_the_landing_contract(manifest):
    assert accepted_values_disagreements(manifest) == []


def test_the_agreement_check_catches_a_value_dbt_no_longer_accepts(manifest):
    """The check above is not vacuous: drop one value from one dbt test and it reports it."""
    broken = json.loads(json.dumps(manifest))
    test = next(
        n
        for n in broken["nodes"].values()
        if (n.get("test_metadata") or {}).get("name") == "accepted_values"
        and n.get("column_name") == "channel"
        and n["attached_node"].endswith("stg_procedure_logs__events")
    )
    test["test_metadata"]["kwargs"]["values"].remove("postal")
    (problem,) = accepted_values_disagreements(broken)
    assert problem.startswith("stg_procedure_logs__events.channel")


def test_every_contract_value_list_is_a_dbt_test_on_its_staging_model(manifest):
    """A contract rule dropped from dbt would leave the staged rows unchecked."""
    tested = {
        (t["model"], t["column"]) for t in dbt_tests(manifest) if t["name"] == "accepted_values"
    }
    staging: dict[str, set[str]] = {}  # raw table -> the staging models built from it
    for node_id, node in manifest["nodes"].items():
        if node["resource_type"] == "model" and model_name(node_id).startswith("stg_"):
            for table in raw_tables_upstream(manifest, node_id):
                staging.setdefault(table, set()).add(model_name(node_id))
    missing = [
        (contract.table, c.raw_name)
        for contract in SOURCES.values()
        for c in contract.stored_columns
        if any(check.values for check in c.checks)
        and not any((model, c.raw_name) in tested for model in staging[contract.table])
    ]
    assert missing == []


def test_dbt_flow_category_pairing_agrees_with_the_contract(manifest):
    """The staged-lines test that a category belongs to its flow lists the contract's pairs."""
    (test,) = [
        t
        for t in dbt_tests(manifest)
        if t["name"] == "expression_is_true" and "category in" in t["kwargs"]["expression"]
    ]
    pairs = re.findall(r"flow = '(\w+)' and category in \(([^)]*)\)", test["kwargs"]["expression"])
    written = {flow: tuple(re.findall(r"'(\w+)'", values)) for flow, values in pairs}
    assert written == CATEGORIES_BY_FLOW


# --- GE value sets --------------------------------------------------------------------------------


def suite_names() -> list[str]:
    return sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))


def model_id(manifest: dict, name: str) -> str:
    return next(
        i
        for i, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["name"] == name
    )


def ge_contract_disagreements(manifest: dict) -> list[str]:
    """GE value sets and ranges on contract columns that are not the contract's."""
    wrong = []
    for suite_name in suite_names():
        node = model_id(manifest, suite_name)
        for expectation in load_suite(suite_name).expectations:
            kwargs = expectation.configuration.kwargs
            rule = contract_column(manifest, node, kwargs.get("column", ""))
            if rule is None:
                continue
            if "value_set" in kwargs and {str(v) for v in kwargs["value_set"]} != {
                str(v) for v in rule.allowed_values or ()
            }:
                wrong.append(f"{suite_name}.{rule.raw_name}: value set")
            bounds = (kwargs.get("min_value"), kwargs.get("max_value"))
            if expectation.expectation_type == "expect_column_values_to_be_between" and (
                rule.bounds is None or bounds != rule.bounds
            ):
                wrong.append(f"{suite_name}.{rule.raw_name}: {bounds} != {rule.bounds}")
    return wrong


def test_ge_value_sets_and_ranges_agree_with_the_contract(manifest):
    assert ge_contract_disagreements(manifest) == []


def test_ge_flow_category_pairs_are_the_contracts():
    """Checked as one computed column `flow/category` (a GE column-pair check on pandas goes
    row by row); the pairs must be the contract's, and the suite must check them."""
    contract = {f"{f}/{c}" for f, cs in CATEGORIES_BY_FLOW.items() for c in cs}
    checked = [
        set(expectation.configuration.kwargs["value_set"])
        for suite_name in suite_names()
        for expectation in load_suite(suite_name).expectations
        if expectation.configuration.kwargs.get("column") == "flow_category"
    ]
    assert checked == [contract]


# --- the simulator writes what the contract allows ------------------------------------------------


def contract_set(source: str, column: str) -> set:
    (rule,) = [c.allowed_values for c in SOURCES[source].columns if c.name == column]
    return set(rule)


@pytest.mark.parametrize(
    ("simulated", "source", "column"),
    [
        (catalogue.CHANNELS, "procedure_logs", "channel"),
        (staffing.POSITIONS, "personnel_rosters", "position"),
        (staffing.SPECIALISATIONS, "personnel_rosters", "specialisation"),
        (staffing.EXIT_REASONS, "personnel_rosters", "exit_reason"),
        (staffing.STATUSES, "personnel_rosters", "status"),
        (asset_inventories.ASSET_TYPES, "asset_inventories", "asset_type"),
        (asset_inventories.STATUSES, "asset_inventories", "status"),
        (asset_inventories.REPURPOSES, "asset_inventories", "repurposed_to"),
        ({category for _, category, _ in budget.LINES}, "budget_allocations", "category"),
        ({flow for flow, _, _ in budget.LINES}, "budget_allocations", "flow"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_simulator_value_lists_are_the_contracts(simulated, source, column):
    assert set(simulated) == contract_set(source, column)


def test_simulator_budget_lines_pair_categories_with_their_flow():
    assert {(flow, category) for flow, category, _ in budget.LINES} == {
        (flow, c) for flow, categories in CATEGORIES_BY_FLOW.items() for c in categories
    }


def test_simulated_faults_use_the_contracts_reason_codes_and_break_its_rules():
    assert {f.reason_code for f in faults.ROW_FAULTS.values()} <= set(REASON_CODES)
    for kind, fault in faults.ROW_FAULTS.items():
        if fault.reason_code == "not_allowed":
            allowed = contract_set("procedure_logs", fault.column)
            assert allowed, f"{kind}: the contract has no rule on {fault.column}"
            bad = faults.BAD_VALUES.get(kind, {}).get("canonical")
            assert bad is None or bad not in allowed, kind


def test_reason_codes_are_the_documented_ones():
    sources = (Path(__file__).resolve().parents[1] / "docs" / "sources.md").read_text("utf-8")
    section = sources.split("### Quarantine reason codes")[1].split("\n#")[0]
    assert set(re.findall(r"^\| `(\w+)` \|", section, re.M)) == set(REASON_CODES)


# --- the reform date and the monitored period: dbt vars, read by Python ---------------------------


def test_project_vars_are_read_from_the_dbt_project(tmp_path):
    (tmp_path / "dbt_project.yml").write_text(
        'name: x\nvars:\n  reform_date: "2031-02-03"\n  calendar_start: 2030-01-01\n  share: 0.5\n',
        encoding="utf-8",
    )
    assert project_vars.date_var("reform_date", tmp_path) == date(2031, 2, 3)
    assert project_vars.date_var("calendar_start", tmp_path) == date(2030, 1, 1)
    assert project_vars.var("share", tmp_path) == 0.5
    with pytest.raises(KeyError, match="no var 'reform_day'.*reform_date"):
        project_vars.var("reform_day", tmp_path)


def test_python_reads_the_reform_date_and_period_from_dbt_vars():
    assert project_vars.reform_date() == date(2025, 7, 1)
    assert (project_vars.calendar_start(), project_vars.calendar_end()) == (
        date(2024, 1, 1),
        date(2027, 12, 31),
    )
    from reports.shell import REFORM_DATE

    assert project_vars.reform_date() == REFORM_DATE
    assert np.datetime64(project_vars.reform_date(), "D") == calendar.REFORM_DAY
    assert np.datetime64(project_vars.calendar_start(), "M") == units.HISTORY_START


def test_no_python_module_writes_the_reform_date_itself():
    """The reform date lives in dbt_project.yml; Python modules read it (project_vars).

    orchestration/ingest/ is left out: the age band's reference day still sits in the parse
    SQL there, which is being split into stage modules."""
    root = Path(__file__).resolve().parents[1]
    written = re.compile(r"2025-07-01|2025, 7, 1\b")
    offenders = [
        str(path.relative_to(root))
        for folder in ("orchestration", "reports", "simulator", "scripts")
        for path in (root / folder).rglob("*.py")
        if "ingest" not in path.parts and written.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- GE suites check what dbt tests do not ----------------------------------------------------

SQL_WORDS = {
    "and",
    "or",
    "not",
    "is",
    "null",
    "between",
    "in",
    "as",
    "date",
    "case",
    "when",
    "then",
    "else",
    "end",
    "true",
    "false",
    "dbt",
    "coalesce",
    "cast",
}
GE_KINDS = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique",
    "expect_column_values_to_be_in_set": "in_set",
    "expect_column_values_to_be_between": "range",
    "expect_column_pair_values_a_to_be_greater_than_b": "relation",
    "expect_column_pair_values_to_be_in_set": "relation",
    "expect_column_pair_values_to_be_equal": "relation",
    "expect_multicolumn_sum_to_equal": "relation",
}


def identifiers(sql_text: str) -> frozenset[str]:
    """Column names in a SQL expression: words that are not keywords, literals or functions."""
    text = re.sub(r"'[^']*'|\{\{.*?\}\}", " ", sql_text.lower())
    return frozenset(
        w for w in re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", text) if w not in SQL_WORDS
    )


def clauses(expression: str) -> list[str]:
    """The top-level `and` clauses of an expression (`between a and b` stays whole)."""
    parts, current, depth, in_between = [], [], 0, False
    for token in re.findall(r"\(|\)|[^\s()]+", expression.lower()):
        depth += {"(": 1, ")": -1}.get(token, 0)
        if token == "between":
            in_between = True
        elif token == "and" and depth == 0 and not in_between:
            parts.append(" ".join(current))
            current = []
            continue
        elif token == "and":
            in_between = False
        current.append(token)
    return [*parts, " ".join(current)]


def dbt_rules(manifest: dict) -> dict[str, set[tuple[str, frozenset[str]]]]:
    """model -> (kind, columns) of every dbt test that blocks (severity error)."""
    rules: dict[str, set[tuple[str, frozenset[str]]]] = {}
    for test in dbt_tests(manifest):
        if test["severity"] != "error":
            continue  # a warning does not hold data back: a GE tolerance on it is no repeat
        found = rules.setdefault(test["model"], set())
        column, kwargs = test["column"], test["kwargs"]
        if test["name"] in ("not_null", "unique"):
            found.add((test["name"], frozenset([column])))
        elif test["name"] == "unique_combination":
            found.add(("unique", frozenset().union(*map(identifiers, kwargs["columns"]))))
        elif test["name"] == "accepted_values":
            found.add(("in_set", frozenset([column])))
            if all(isinstance(v, int | float) for v in kwargs["values"]):
                found.add(("range", frozenset([column])))
        elif test["name"] == "expression_is_true":
            for clause in clauses(kwargs["expression"]):
                names = identifiers(clause)
                found.add(("range" if len(names) == 1 else "relation", names))
    return rules


def ge_repeats(manifest: dict, suites: dict[str, list[tuple[str, dict]]]) -> list[str]:
    """GE expectations that restate a blocking dbt test of the same kind on the same model
    and columns (a pair rule repeats a dbt expression that relates the same columns)."""
    rules = dbt_rules(manifest)
    repeats = []
    for suite_name, expectations in suites.items():
        model_rules = rules.get(suite_name, set())
        for expectation_type, kwargs in expectations:
            kind = GE_KINDS.get(expectation_type)
            columns = frozenset(expectation_columns(kwargs))
            if kind is None or kwargs.get("row_condition"):
                continue
            if kind == "relation":
                repeated = any(k == kind and columns <= names for k, names in model_rules)
            else:
                repeated = (kind, columns) in model_rules
            if repeated:
                repeats.append(f"{suite_name}: {expectation_type} on {', '.join(sorted(columns))}")
    return repeats


def suites_as_written() -> dict[str, list[tuple[str, dict]]]:
    return {
        name: [
            (e.expectation_type, dict(e.configuration.kwargs))
            for e in load_suite(name).expectations
        ]
        for name in suite_names()
    }


def test_no_ge_expectation_repeats_a_dbt_test(manifest):
    assert ge_repeats(manifest, suites_as_written()) == []


@pytest.mark.parametrize(
    ("expectation_type", "kwargs"),
    [
        ("expect_column_values_to_not_be_null", {"column": "event_id"}),
        ("expect_column_values_to_be_in_set", {"column": "channel", "value_set": ["direct"]}),
        ("expect_column_values_to_be_between", {"column": "satisfaction_score", "min_value": 1}),
        (
            "expect_compound_columns_to_be_unique",
            {"column_list": ["dossier_code", "event_type", "event_at", "step_name"]},
        ),
    ],
)
def test_the_repeat_check_finds_a_restated_dbt_test(manifest, expectation_type, kwargs):
    suites = suites_as_written()
    suites["stg_procedure_logs__events"].append((expectation_type, kwargs))
    assert ge_repeats(manifest, suites) == [
        f"stg_procedure_logs__events: {expectation_type} on "
        f"{', '.join(sorted(expectation_columns(kwargs)))}"
    ]


def test_the_repeat_check_reads_dbt_expressions_as_rules(manifest):
    rules = dbt_rules(manifest)["mart_unit_service_monthly"]
    assert ("range", frozenset(["online_share"])) in rules
    assert ("relation", frozenset(["on_time_numerator", "on_time_denominator"])) in rules
    assert (
        "relation",
        frozenset(["dossiers_finished", "finished_early", "finished_on_time", "finished_overdue"]),
    ) in rules


# --- the row-level rules GE no longer repeats still hold data back, as dbt tests ---------------


@pytest.mark.slow
def test_dbt_tests_catch_the_row_faults_the_ge_suite_left_to_them(tmp_path, dbt_manifest):
    """The faults the events suite used to catch itself (an unknown event type or channel, a
    score off the scale, a missing dossier, a repeated event) now fail blocking dbt tests on
    the staged table: `dbt test` on a tiny warehouse that holds them."""
    from test_quality import clean_events
    from warehouse_fixtures import insert, warehouse

    rows = clean_events()
    rows[2]["event_type"] = "approved"
    rows[4]["channel"] = "fax"
    rows[9]["satisfaction_score"] = 7
    rows[12]["dossier_code"] = None
    rows[15]["event_id"] = rows[14]["event_id"]
    path = tmp_path / "warehouse.duckdb"
    con = warehouse(path, "staging.stg_procedure_logs__events")
    insert(con, "staging.stg_procedure_logs__events", rows)
    con.execute("""create schema reference;
        create table reference.admin_units as
            select unnest(['00004', '00008', '01']) as unit_code, '01' as province_code;
        create table reference.procedure_catalogue as select '1.000001' as procedure_code;
        create schema marts;
        create table marts.dim_admin_unit_history as
            select unnest(['00004', '00008', '01']) as unit_code""")
    con.close()

    done = subprocess.run(
        dbt_command(
            "test",
            "--select",
            "stg_procedure_logs__events,test_type:generic",
            "--target-path",
            str(tmp_path / "t"),
        ),
        env=os.environ | {"REFORMWATCH_WAREHOUSE": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads((tmp_path / "t" / "run_results.json").read_text(encoding="utf-8"))
    failed = {r["unique_id"].split(".")[2] for r in results["results"] if r["status"] == "fail"}
    assert done.returncode != 0  # dbt build stops here: nothing downstream is built
    assert {f.rsplit("_", 1)[0] if re.search(r"_[0-9a-f]{10}$", f) else f for f in failed} == {
        "accepted_values_stg_procedure_logs__events_event_type__submitted__received__assigned"
        "__step_started__step_completed__supplement_requested__supplement_received__fee_"
        "requested__completed__result_returned__withdrawn__rejected",
        "accepted_values_stg_procedure_logs__events_channel__direct__postal__online_partial"
        "__online_full",
        "accepted_values_stg_procedure_logs__events_satisfaction_score__False__1__2__3__4__5",
        "not_null_stg_procedure_logs__events_dossier_code",
        "unique_stg_procedure_logs__events_event_id",
    }, done.stdout[-3000:]
