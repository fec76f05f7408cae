"""`make run` ends with a short summary read from Dagster's event log, not 3,800 log lines."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.build_scope import BUILD_SCOPE_KEY
from orchestration.run_summary import render, summarise


@dg.asset(key=["raw", "budget_allocation_rows"])
def raw_budget() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={
            "new_files": 3,
            "files_by_status": dg.MetadataValue.json({"loaded": 2, "duplicate_file": 1}),
            "rows_loaded": 1200,
            "rows_quarantined": 4,
        }
    )


@dg.asset(key=["marts", "fct_budget"], deps=[raw_budget])
def fct_budget() -> dg.MaterializeResult:
    scope = "incremental build of the changed months (2026-06): same dbt project"
    return dg.MaterializeResult(metadata={BUILD_SCOPE_KEY: scope})


@dg.asset_check(asset=fct_budget, name="amounts_not_negative")
def failing_check() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=False)


@dg.asset_check(asset=fct_budget, name="has_rows")
def passing_check() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_summary_counts_files_models_and_checks_of_the_run():
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [raw_budget, fct_budget, failing_check, passing_check], instance=instance
        )
        summary = summarise(instance)
    assert summary.run_id == result.run_id and summary.status == "SUCCESS"
    assert summary.ingest["budget_allocation_rows"]["rows_quarantined"] == 4
    assert summary.built == {"raw": 1, "marts": 1}
    assert summary.checks_passed == 1
    assert summary.checks_failed == ["marts/fct_budget:amounts_not_negative"]
    text = "\n".join(render(summary, log="data/logs/run.log"))
    assert "budget_allocation_rows      3 new files (1 duplicate_file, 2 loaded)" in text
    assert "1,200 rows loaded, 4 quarantined" in text
    assert "dbt: 1 models and seeds built (marts 1)" in text
    assert "  incremental build of the changed months (2026-06)" in text
    assert "checks: 1 passed, 1 failed" in text and "FAILED marts/fct_budget:amounts_" in text
    assert text.endswith("full log: data/logs/run.log")


def test_summary_says_when_dbt_was_skipped_for_nothing_new():
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([raw_budget], instance=instance)
        text = "\n".join(render(summarise(instance)))
    assert "nothing new since the last build: skipped" in text


def test_no_run_no_summary():
    with dg.DagsterInstance.ephemeral() as instance:
        assert summarise(instance) is None


class BadConfig(ValueError):
    pass


@dg.multi_asset(specs=[dg.AssetSpec(["marts", "fct_dossiers"], deps=[raw_budget])])
def reformwatch_dbt():
    raise BadConfig("run config rebuild_months: '2026-5' is not a month 'YYYY-MM'")


def test_summary_names_why_the_dbt_step_failed():
    """A bad run config stops the dbt step: the summary says why, not that nothing was new."""
    with dg.DagsterInstance.ephemeral() as instance:
        dg.materialize([raw_budget, reformwatch_dbt], instance=instance, raise_on_error=False)
        text = "\n".join(render(summarise(instance)))
    assert "dbt: 0 models and seeds built (the dbt step failed: below)" in text
    [failed] = [line for line in text.splitlines() if line.startswith("FAILED STEP")]
    assert failed.startswith("FAILED STEP reformwatch_dbt: ")
    assert failed.endswith(
        "BadConfig: run config rebuild_months: '2026-5' is not a month 'YYYY-MM'"
    )
