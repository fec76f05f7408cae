"""The whole graph on tiny simulated data: what `make run` does, checked against an
independent computation from the raw events; the gate holding back bad data; the data-quality
site rendered once per run; and the BI copy published whatever the report pages do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from warehouse_fixtures import model_columns

from orchestration.cli import main as reformwatch
from orchestration.ingest.sources import SOURCES
from orchestration.quality import site
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, Settings, dbt_command

pytestmark = pytest.mark.slow

FINISH_EVENTS = ("completed", "result_returned", "rejected", "withdrawn")
BI_READER_VERSION = "1.1.3"  # the oldest DuckDB the BI copy promises to open (README)
LEAVES = {"reports/service_delivery", "reports/index", "bi/published_warehouse"}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, dbt_manifest):
    """Simulate two provinces for three months, then materialise every asset once."""
    data = tmp_path_factory.mktemp("pipeline") / "data"
    reformwatch(
        [
            "simulate",
            "--provinces",
            "01,22",
            "--months",
            "3",
            "--scale",
            "0.05",
            "--seed",
            "11",
            "--out",
            str(data / "landing"),
        ]
    )
    warehouse = WarehouseResource(data_dir=str(data))
    with counting_site_renders() as renders:
        result = run_everything(warehouse)
    yield warehouse.settings, result, renders


@contextmanager
def counting_site_renders() -> Iterator[list[Path]]:
    """Every call of `render_quality_site`, from whichever module of the code location
    imported it, recorded as the folder it rendered."""
    import orchestration.definitions  # noqa: F401  every module that may render, loaded first

    original = site.render_quality_site
    rendered: list[Path] = []

    def counted(quality_dir, con=None):
        rendered.append(quality_dir)
        return original(quality_dir, con)

    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if (
                name.startswith("orchestration")
                and getattr(module, "render_quality_site", None) is original
            ):
                patch.setattr(module, "render_quality_site", counted)
        yield rendered


def run_everything(
    warehouse: WarehouseResource,
    selection: list[dg.AssetKey] | None = None,
    instance: dg.DagsterInstance | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import build_definitions

    job = build_definitions(warehouse).resolve_job_def("reformwatch_all")
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        asset_selection=selection,
        run_config=run_config,
    )


def copy_of(settings: Settings, tmp_path: Path) -> WarehouseResource:
    """The pipeline's data without its outputs, for a test that runs the graph again."""
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("reports", "tmp"))
    copy = WarehouseResource(data_dir=str(data))
    copy.published_warehouse.unlink()
    shutil.rmtree(copy.settings.published_exports)
    return copy


def materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def read(settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_every_asset_materialises_and_every_check_passes(pipeline):
    settings, result, _ = pipeline
    assert result.success
    from orchestration.definitions import build_definitions

    defs = build_definitions(WarehouseResource(data_dir=str(settings.data_dir)))
    expected = {key for key in defs.resolve_asset_graph().get_all_asset_keys()}
    materialised = {e.asset_key for e in result.get_asset_materialization_events()}
    assert expected - materialised == set()
    checks = result.get_asset_check_evaluations()
    ge = [c for c in checks if c.check_name.startswith("ge_")]
    suites = sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    assert sorted(c.check_name.removeprefix("ge_") for c in ge) == suites
    assert all(c.passed for c in checks)
    for page in ("index.html", "service_delivery.html"):
        assert (settings.reports_dir / page).stat().st_size > 0
    assert "Đạt / Pass" in (settings.quality_dir / "index.html").read_text(encoding="utf-8")


def test_one_run_renders_the_quality_site_once(pipeline):
    settings, _, renders = pipeline
    assert renders == [settings.quality_dir]


def test_the_run_is_kept_in_the_quality_history_and_published(pipeline):
    """Every GE suite and every dbt test of the run, in the warehouse and the BI copy."""
    settings, result, _ = pipeline
    run = f"run_id = '{result.run_id}'"
    runs = read(settings, f"select kind, success, checks from audit.quality_runs where {run}")
    assert sorted(runs.kind) == ["dbt", "great_expectations"] and runs.success.all()
    suites = read(settings, f"select distinct suite_name from audit.ge_results where {run}")
    assert sorted(suites.suite_name) == sorted(p.stem for p in EXPECTATIONS_DIR.glob("*.json"))
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    data_tests = {k for k, n in manifest["nodes"].items() if n["resource_type"] == "test"}
    tests = read(settings, f"select unique_id, status from audit.dbt_results where {run}")
    assert data_tests <= set(tests.unique_id)
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as bi:
        published = bi.execute(f"select count(*) from audit.dbt_results where {run}").fetchone()
    assert published == (len(tests),)


def test_dbt_keeps_its_log_and_artifacts_with_the_data_it_built(pipeline):
    """Under data/logs/dbt/<run id>: not in the project folder every deployment shares, where
    a folder per build piled up and was never removed."""
    settings, result, _ = pipeline
    build = settings.dbt_runs_dir / result.run_id
    assert (build / "run_results.json").is_file() and (build / "dbt.log").is_file()
    assert list((DBT_PROJECT_DIR / "target").glob(f"*-{result.run_id[:7]}-*")) == []


def test_ingest_accounts_for_every_row(pipeline):
    settings, _, _ = pipeline
    files = read(settings, "select * from audit.ingest_files")
    assert (files.rows_loaded + files.rows_quarantined == files.rows_read).all()
    for source, contract in SOURCES.items():
        mine = files[files.source == source]
        raw = read(settings, f"select count(*) n from raw.{contract.table}").n[0]
        held = read(
            settings, f"select count(*) n from audit.quarantine where source = '{source}'"
        ).n[0]
        assert (raw, held) == (mine.rows_loaded.sum(), mine.rows_quarantined.sum()), source
        assert raw > 0 and held > 0, source  # loaded, and the simulator's faults caught


def independent_dossiers(settings) -> pd.DataFrame:
    """Dossiers from the raw events in pandas, without dbt: the mart's independent check."""
    events = read(settings, "select * from raw.procedure_log_events")
    events = events.sort_values("_loaded_at").drop_duplicates(
        ["dossier_code", "event_type", "event_at", "step_name"], keep="last"
    )
    opening = events[events.event_type.isin(["submitted", "received"])]
    units = events.groupby("dossier_code").unit_code.nunique()
    procedures = events.groupby("dossier_code").procedure_code.nunique()
    valid = (
        set(opening.dossier_code)
        & set(units[units == 1].index)
        & set(procedures[procedures == 1].index)
    )
    events = events[events.dossier_code.isin(valid)]
    received = (
        events[events.event_type == "received"]
        .groupby("dossier_code")
        .agg(received_at=("event_at", "min"), due_at=("due_at", "min"))
    )
    finished = events[events.event_type.isin(FINISH_EVENTS)].groupby("dossier_code").event_at.min()
    supplements = events[events.event_type == "supplement_requested"].groupby("dossier_code").size()
    dossiers = pd.DataFrame({"unit_code": events.groupby("dossier_code").unit_code.first()})
    dossiers = dossiers.join(received).join(finished.rename("finished_at"))
    dossiers["supplements"] = supplements.reindex(dossiers.index).fillna(0)
    return dossiers


def test_monthly_mart_matches_an_independent_count_from_raw_events(pipeline):
    settings, _, _ = pipeline
    dossiers = independent_dossiers(settings)
    mart = read(settings, "select * from marts.mart_unit_service_monthly").set_index(
        ["unit_code", "month_start"]
    )
    got = dossiers.dropna(subset=["received_at"])
    received = got.groupby(["unit_code", got.received_at.dt.to_period("M").dt.start_time]).size()
    received.index.names = ["unit_code", "month_start"]
    finished = got.dropna(subset=["finished_at"])
    finished = finished.groupby(
        ["unit_code", finished.finished_at.dt.to_period("M").dt.start_time]
    ).size()
    finished.index.names = ["unit_code", "month_start"]
    mart.index = mart.index.set_levels(pd.to_datetime(mart.index.levels[1]), level=1)
    assert received.sum() > 1000
    pd.testing.assert_series_equal(
        mart.dossiers_received[mart.dossiers_received > 0].sort_index(),
        received.sort_index(),
        check_names=False,
        check_dtype=False,
    )
    pd.testing.assert_series_equal(
        mart.dossiers_finished[mart.dossiers_finished > 0].sort_index(),
        finished.sort_index(),
        check_names=False,
        check_dtype=False,
    )
    judged = mart.finished_early + mart.finished_on_time + mart.finished_overdue
    assert (judged == mart.dossiers_finished).all()


def test_timeliness_follows_the_portal_rule(pipeline):
    """Without supplements: early before the promised day, on time on it, overdue after;
    two or more supplement requests: overdue whatever the dates."""
    settings, _, _ = pipeline
    dossiers = independent_dossiers(settings).dropna(subset=["received_at", "finished_at"])
    fact = (
        read(settings, "select dossier_code, timeliness from marts.fct_dossiers")
        .set_index("dossier_code")
        .timeliness
    )
    plain = dossiers[(dossiers.supplements == 0) & dossiers.due_at.notna()]
    finish_day, due_day = plain.finished_at.dt.normalize(), plain.due_at.dt.normalize()
    expected = pd.Series("on_time", index=plain.index)
    expected[finish_day < due_day] = "early"
    expected[finish_day > due_day] = "overdue"
    assert len(plain) > 500
    pd.testing.assert_series_equal(fact.reindex(plain.index), expected, check_names=False)
    twice = dossiers[dossiers.supplements >= 2].index
    assert (fact.reindex(twice) == "overdue").all()


def test_published_file_opens_in_a_duckdb_1x_reader(pipeline, tmp_path):
    settings, _, _ = pipeline
    reader = bi_reader_path()
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(duckdb.__version__, con.execute("
        "'select count(*) from marts.mart_unit_service_monthly').fetchone()[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(settings.published_warehouse)],
        env=os.environ | {"PYTHONPATH": str(reader)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    version, rows = done.stdout.split()
    assert version == BI_READER_VERSION
    assert int(rows) == len(read(settings, "select * from marts.mart_unit_service_monthly"))
    # the BI copy carries the analysts' schemas, not raw (pseudonymised) rows
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        published = {
            s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()
        }
    assert "raw" not in published and {"marts", "audit", "reference"} <= published


def test_published_columns_carry_comments_and_no_128_bit_integers(pipeline):
    """Every column in the copy (dbt tables and the audit tables the Python writes, declared as
    the dbt source `audit`) has its YAML description as a comment; none is
    HUGEINT (sums of integers are, in DuckDB); every mart is exported as Parquet and CSV."""
    settings, _, _ = pipeline
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_name, data_type, comment"
            " from duckdb_columns() where not internal"
        ).df()
        marts = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
    assert not columns.data_type.str.contains("HUGEINT").any()
    uncommented = columns[columns.comment.isna()]
    assert uncommented.empty, uncommented
    for kind in ("parquet", "csv"):
        exported = sorted(p.stem for p in (settings.published_exports / kind).iterdir())
        assert exported == sorted(marts)


def bi_reader_path() -> Path:
    """DuckDB 1.x installed beside the project (not in it) for this test alone."""
    target = Path(sys.prefix) / f"duckdb-{BI_READER_VERSION}"
    if not (target / "duckdb").is_dir():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-warn-conflicts",
                "--no-deps",
                "--target",
                str(target),
                f"duckdb=={BI_READER_VERSION}",
            ],
            check=True,
        )
    return target


def test_bad_data_fails_the_gate_and_holds_the_reports(pipeline, tmp_path):
    """Processing steps dated years ahead, written straight into raw (as a faulty upstream
    load would), pass every dbt test but not the gate: the events suite names the implausible
    times, the service mart's suite the phantom months they open (nothing received, on-time
    rate out of its band), no report or BI copy is written, and the auditors' site, rendered
    once, shows the failed run."""
    settings, _, _ = pipeline
    corrupted = copy_of(settings, tmp_path)
    with duckdb.connect(str(corrupted.settings.warehouse)) as con:
        con.execute("""update raw.procedure_log_events
            set event_at = event_at + interval 7 year
            where rowid in (select rowid from raw.procedure_log_events
                            where event_type = 'step_started' limit 20)""")
    with counting_site_renders() as renders:
        result = run_everything(corrupted)
    assert not result.success
    failed = {c.check_name: c for c in result.get_asset_check_evaluations() if not c.passed}
    assert set(failed) == {"ge_stg_procedure_logs__events", "ge_mart_unit_service_monthly"}
    events = failed["ge_stg_procedure_logs__events"].description
    assert "expect_column_values_to_be_between on event_at" in events
    assert "province_month_on_time_rate" in failed["ge_mart_unit_service_monthly"].description
    assert "staging/stg_procedure_logs__events" in materialised(result)
    assert not LEAVES & materialised(result)
    assert not (corrupted.reports_dir / "service_delivery.html").exists()
    assert not corrupted.published_warehouse.exists()
    assert not corrupted.settings.published_exports.exists()
    assert renders == [corrupted.quality_dir]
    page = (corrupted.quality_dir / "index.html").read_text(encoding="utf-8")
    assert "Không đạt" in page or "Fail" in page  # auditors see the failed run


def test_a_failing_report_page_does_not_hold_back_the_bi_copy(pipeline, tmp_path, monkeypatch):
    """A charting bug fails its page (and the index that links it); checked data is still
    published for BI tools."""
    settings, _, _ = pipeline
    copy = copy_of(settings, tmp_path)
    from reports import service_delivery

    def charting_bug(con, out_dir):
        raise ValueError("a charting bug")

    monkeypatch.setattr(service_delivery, "render", charting_bug)
    from orchestration.defs.reports import published_warehouse, report_assets, report_index

    gate_and_after = [
        dg.AssetKey(["quality", "gate"]),
        published_warehouse.key,
        report_index.key,
        *(page.key for page in report_assets),
    ]
    result = run_everything(copy, gate_and_after)
    assert not result.success
    assert "bi/published_warehouse" in materialised(result)
    assert not {"reports/service_delivery", "reports/index"} & materialised(result)
    with duckdb.connect(str(copy.published_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_unit_service_monthly").fetchone()[0]


def test_every_model_builds_exactly_the_columns_its_yaml_documents(pipeline):
    """The YAML is the contract the test fixtures (warehouse_fixtures), the data dictionary and
    the BI comments are made from: it must match what dbt really builds."""
    settings, _, _ = pipeline
    documented = {name: {c["name"] for c in cols} for name, cols in model_columns().items()}
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        built = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema in ('staging', 'intermediate', 'marts', 'audit')"
        ).fetchall():
            built.setdefault(table, set()).add(column)
    wrong = {
        name: (sorted(built[name] - cols), sorted(cols - built[name]))
        for name, cols in documented.items()
        if name in built and cols and built[name] != cols
    }
    assert wrong == {}, "model: (built, not documented), (documented, not built)"
    assert set(documented) - set(built) == set(), "documented models that were not built"


def test_dbt_unit_tests_pass_against_the_built_warehouse(pipeline):
    """The on-time, staffing-norm, resource-gap … logic, on dbt's own fixtures (runs leave
    unit tests out: they test SQL, not data)."""
    settings, _, _ = pipeline
    done = subprocess.run(
        dbt_command("test", "--select", "test_type:unit"),
        env=os.environ
        | {
            "REFORMWATCH_WAREHOUSE": str(settings.warehouse),
            "REFORMWATCH_TMP_DIR": str(settings.tmp_dir),
        },  # as by hand
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "PASS=" in done.stdout and "ERROR=0" in done.stdout


def test_no_personal_data_in_any_table(pipeline):
    """Every table of the warehouse, raw included, scanned for personal columns and for
    identifiers taken from the landing files: only keyed hashes and age bands are stored."""
    settings, _, _ = pipeline
    manifest = json.loads((settings.landing_dir / "_simulation_manifest.json").read_text())
    national_ids = manifest["sample_national_ids"]
    clean = next(
        f["file"]
        for f in manifest["files"]
        if f["file"].endswith(".jsonl")
        and f["encoding"] == "utf-8"
        and f["faulty_rows"] == 0
        and f["rows"]
    )
    lines = (settings.landing_dir / clean).read_text(encoding="utf-8").splitlines()[:200]
    applicant_ids = [a for a in (json.loads(line)["applicant_id"] for line in lines) if a]
    assert national_ids and applicant_ids
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        personal = con.execute("""select schema_name || '.' || table_name || '.' || column_name
            from duckdb_columns() where column_name in
            ('full_name', 'national_id', 'birth_date', 'applicant_id')""").fetchall()
        assert personal == []
        tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        for schema, table in tables:
            text = (
                con.execute(
                    f'select string_agg(t::varchar, chr(10)) from {schema}."{table}" t'
                ).fetchone()[0]
                or ""
            )
            leaked = [i for i in national_ids + applicant_ids if i in text]
            assert leaked == [], f"{schema}.{table} holds personal identifiers in clear"
    assert len(tables) > 30


def test_a_run_with_nothing_new_skips_dbt_and_everything_after_it(pipeline, tmp_path):
    """The same landing files, raw rows and dbt project as the last build (recorded on the
    models' materialisations): dbt does not run, the checks, reports and BI copy are skipped,
    and every model keeps its row count and column types from that build."""
    settings, first, _ = pipeline
    built = [
        e.materialization
        for e in first.get_asset_materialization_events()
        if "input_fingerprint" in e.materialization.metadata
    ]
    # every table has its row count; a view says why it has none (test_automation.py)
    assert built and all(
        "dagster/row_count" in m.metadata or "row_count" in m.metadata for m in built
    )
    fact = next(m for m in built if m.asset_key.path == ["marts", "fct_dossiers"])
    assert (
        fact.metadata["dagster/row_count"].value
        == read(settings, "select count(*) as n from marts.fct_dossiers").n[0]
    )
    instance = dg.DagsterInstance.ephemeral()
    for materialization in built:  # the first run's record, as a persistent instance keeps it
        instance.report_runless_asset_event(materialization)
    again = run_everything(copy_of(settings, tmp_path), instance=instance)
    assert again.success
    assert {key.split("/")[0] for key in materialised(again)} == {"raw"}
    skipped = {
        e.step_key for e in again.all_events if e.event_type == dg.DagsterEventType.STEP_SKIPPED
    }
    assert {"great_expectations", "quality__gate", "bi__published_warehouse"} <= skipped
