"""Blocking Great Expectations checks: one per suite in `expectations/`, all built alike.

A failing check stops every asset downstream of the checked model (the reports and the BI
publication) and says which expectation failed on which rows; every run, pass or fail, is
written to the auditors' data-quality site.
"""


import dagster as dg
from dagster_dbt import get_asset_key_for_model

from orchestration.defs.dbt import reformwatch_dbt
from orchestration.quality.ge_runner import describe_failures, record_outcome, validate_table
from orchestration.quality.site import render_quality_site
from orchestration.settings import EXPECTATIONS_DIR, load_settings
from orchestration.warehouse import connect

# Large event tables are validated on a deterministic sample; their row-level rules are
# dbt tests on the full table (GE reads pandas frames, see DEVELOPERS.md).
SAMPLED_SUITES = {
    "stg_procedure_logs__events": 200_000,
    "stg_personnel_rosters__staff": 200_000,
    "stg_budget_allocations__lines": 200_000,
}


def suite_names() -> list[str]:
    return sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))


def build_ge_check(suite: str) -> dg.AssetChecksDefinition:
    asset_key = get_asset_key_for_model([reformwatch_dbt], suite)
    relation = ".".join(asset_key.path)

    @dg.asset_check(
        asset=asset_key,
        name=f"ge_{suite}",
        blocking=True,
        description=f"Great Expectations suite `expectations/{suite}.json` on `{relation}`.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        settings = load_settings()
        with connect(settings, read_only=True) as con:
            outcome = validate_table(
                con, relation, suite, sample_rows=SAMPLED_SUITES.get(suite)
            )
            record_outcome(outcome, settings.quality_dir)
            render_quality_site(settings.quality_dir, con)
        failed = [r for r in outcome.results if not r.success]
        if failed:
            context.log.error(describe_failures(outcome))
        return dg.AssetCheckResult(
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
                "data_quality_site": dg.MetadataValue.path(
                    str(settings.quality_dir / "index.html")
                ),
            },
        )

    return _check


ge_checks = [build_ge_check(suite) for suite in suite_names()]


GATE_KEY = dg.AssetKey(["quality", "gate"])


@dg.asset(
    key=GATE_KEY,
    deps=[spec.asset_key for check in ge_checks for spec in check.check_specs],
    group_name="quality",
    kinds={"great_expectations"},
    description="Passes only when every blocking Great Expectations check has passed: "
    "Dagster blocks a check's direct dependents, so reports and the BI copy depend on this "
    "one node instead of each on every checked model.",
)
def quality_gate(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = load_settings()
    context.log.info("every blocking check passed; reports may run")
    return dg.MaterializeResult(
        metadata={
            "suites": dg.MetadataValue.json(suite_names()),
            "data_quality_site": dg.MetadataValue.path(str(settings.quality_dir / "index.html")),
        }
    )
