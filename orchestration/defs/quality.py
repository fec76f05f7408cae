"""Blocking Great Expectations checks, one per suite in `expectations/`, run in one step.

A failing check stops every asset downstream of the checked model (the reports and the BI
publication) and says which expectation failed on which rows. The suites run one after
another through the one runner, and the auditors' data-quality site is rendered once at the
end of the step whatever the outcome: a failing check is when auditors need it.
"""

import re
from collections.abc import Iterator
from contextlib import nullcontext

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration import spark
from orchestration.defs.build_scope import latest_changed_months
from orchestration.defs.dbt import reformwatch_dbt
from orchestration.quality.ge_runner import (
    ValidationOutcome,
    computed_columns,
    describe_failures,
    record_outcome,
    suite_json,
    validate_table,
)
from orchestration.quality.history import record_ge_run
from orchestration.quality.site import render_quality_site
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR

# Large event tables are validated on a deterministic sample; their row-level rules are
# dbt tests on the full table (GE reads pandas frames, see DEVELOPERS.md).
SAMPLED_SUITES = {
    "stg_procedure_logs__events": 200_000,
    "stg_personnel_rosters__staff": 200_000,
    "stg_budget_allocations__lines": 200_000,
}


def suite_names() -> list[str]:
    return sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))


def check_name(suite: str) -> str:
    return f"ge_{suite}"


def checked_model(suite: str) -> dg.AssetKey:
    """A suite is named after the dbt model it checks."""
    return get_asset_key_for_model([reformwatch_dbt], suite)


def ge_check_spec(suite: str) -> dg.AssetCheckSpec:
    relation = relation_of(suite)
    return dg.AssetCheckSpec(
        name=check_name(suite),
        asset=checked_model(suite),
        blocking=True,
        description=f"Great Expectations suite `expectations/{suite}.json` on `{relation}`.",
    )


def relation_of(suite: str) -> str:
    return ".".join(checked_model(suite).path)


# A table a suite's computed column looks up (a mart's totals against its fact).
LOOKED_UP = re.compile(r"\b((?:staging|intermediate|marts|audit|reference)\.\w+)")


def relations_read(suite: str) -> list[str]:
    """The checked table, then the tables its computed columns look up."""
    expressions = " ".join(computed_columns(suite_json(suite)).values())
    return [relation_of(suite), *LOOKED_UP.findall(expressions)]


def checked_tables(warehouse: WarehouseResource, con, suites: list[str]):
    """Where the suites read their tables: the warehouse; on Spark, the Spark tables pulled
    into memory (the large staging tables as the same-sized samples; a table a computed
    column looks up, whole)."""
    if not warehouse.on_spark:
        return nullcontext(con)
    read = {suite: relations_read(suite) for suite in suites}
    looked_up = {relation for relations in read.values() for relation in relations[1:]}
    samples = {
        relation_of(suite): rows
        for suite, rows in SAMPLED_SUITES.items()
        if relation_of(suite) not in looked_up  # a reconciliation needs the whole table
    }
    relations = sorted({relation for relations in read.values() for relation in relations})
    return spark.pulled_from_spark(warehouse.spark_paths, relations, samples)


def check_result(outcome: ValidationOutcome, site: str) -> dg.AssetCheckResult:
    failed = outcome.failed
    return dg.AssetCheckResult(
        asset_key=checked_model(outcome.suite_name),
        check_name=check_name(outcome.suite_name),
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=describe_failures(outcome) if failed else "all expectations met",
        metadata={
            "expectations": len(outcome.results),
            "failed_expectations": dg.MetadataValue.json(
                [r.expectation_type + ":" + str(r.column) for r in failed]
            ),
            "evaluated_rows": outcome.evaluated_rows,
            "total_rows": outcome.total_rows,
            "months_checked": ", ".join(outcome.months) if outcome.months else "all",
            "data_quality_site": dg.MetadataValue.path(site),
        },
    )


@dg.multi_asset_check(
    name="great_expectations",
    specs=[ge_check_spec(suite) for suite in suite_names()],
    can_subset=True,
    compute_kind="great_expectations",
    description="Every suite in `expectations/` through the one GE runner, then the "
    "data-quality site rendered once.",
)
def ge_checks(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.name for key in context.selected_asset_check_keys}
    outcomes: list[ValidationOutcome] = []
    quality_dir = warehouse.quality_dir
    suites = [suite for suite in suite_names() if check_name(suite) in selected]
    with warehouse.connect() as con:  # writes the run to the audit history
        # no month redone (a rebuild of whole-period models only): check everything
        months = latest_changed_months(con) or None
        if months:
            context.log.info(
                "the last dbt build redid only these months, so suites with a month column "
                f"check those: {', '.join(months)}"
            )
        try:
            with checked_tables(warehouse, con, suites) as tables:
                for suite in suites:
                    outcome = validate_table(
                        tables,
                        relation_of(suite),
                        suite,
                        sample_rows=SAMPLED_SUITES.get(suite),
                        months=months,
                    )
                    record_outcome(outcome, quality_dir)
                    outcomes.append(outcome)
                    if outcome.failed:
                        context.log.error(describe_failures(outcome))
        finally:
            # also when a suite could not run at all: the page shows what was recorded
            record_ge_run(con, context.run.run_id, outcomes)
            site = render_quality_site(quality_dir, con)
    context.log.info(f"data-quality site at {site}")
    for outcome in outcomes:
        yield check_result(outcome, str(site))


GATE_KEY = dg.AssetKey(["quality", "gate"])


@dg.asset(
    key=GATE_KEY,
    deps=sorted({spec.asset_key for spec in ge_checks.check_specs}, key=str),
    group_name="quality",
    kinds={"great_expectations"},
    description="Passes only when every blocking Great Expectations check has passed: "
    "Dagster blocks a check's direct dependents, so reports and the BI copy depend on this "
    "one node instead of each on every checked model.",
)
def quality_gate(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    context.log.info("every blocking check passed; reports and the BI copy may run")
    return dg.MaterializeResult(
        metadata={
            "suites": dg.MetadataValue.json(suite_names()),
            "data_quality_site": dg.MetadataValue.path(str(warehouse.quality_dir / "index.html")),
        }
    )
