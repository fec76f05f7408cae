"""The Spark engine's parts that need no Spark (fast): the models stay free of DuckDB-only SQL
outside dispatched macros, the dbt profile's Spark session is the one the ingest opens, the
engine setting, the lakehouse DDL, and the comparison the equality test relies on."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from spark_compare import differences

from orchestration import spark
from orchestration.settings import DBT_PROJECT_DIR, engine_of, load_settings

# DuckDB spellings Spark does not read (or reads otherwise). Each belongs in a dispatched
# macro (`duckdb__x` beside `spark__x` and `default__x`), never in a model.
DUCKDB_ONLY = {
    "`::` cast": r"::",
    "qualify": r"\bqualify\b",
    "select * exclude / replace": r"\*\s*(exclude|replace)\s*\(",
    "union by name": r"\bunion\s+(all\s+)?by\s+name\b",
    "aggregate filter (where …)": r"\bfilter\s*\(\s*where\b",
    "ilike": r"\bilike\b",
    "count_if / arg_min / arg_max": r"\b(count_if|arg_min|arg_max|argmin|argmax)\s*\(",
    "lists and structs": r"\b(list|list_\w+|struct_pack|struct_extract|unnest|string_agg)\s*\(",
    "strftime / strptime / epoch": r"\b(strftime|strptime|epoch|epoch_ms|epoch_us|today)\s*\(",
    "date_diff / datediff / date_add / date_sub (use dbt.datediff, dbt.dateadd)": (
        r"(?<![.\w])(date_diff|datediff|date_sub|date_add)\s*\("
    ),
    "generate_series / range (use dbt.generate_series)": r"(?<![.\w])(generate_series|range)\s*\(",
    "median / quantile / mode (use macro median)": r"\b(median|quantile\w*|mode)\s*\(",
    "regexp_matches / regexp_full_match": r"\bregexp_(matches|full_match|extract_all)\s*\(",
    "read_parquet / read_csv": r"\bread_(parquet|csv\w*|json\w*)\s*\(",
    "asof / positional join": r"\b(asof|positional)\s+join\b",
    "struct literal": r"\{\s*'\w+'\s*:",
    "materialized CTE (use macro materialized_cte)": r"\bas\s+(not\s+)?materialized\b",
}
# An engine's own implementation of a dispatched macro may say what only that engine reads.
ENGINE_MACRO = re.compile(
    r"\{%-?\s*macro\s+(duckdb|spark|postgres)__.*?\{%-?\s*endmacro\s*-?%\}", re.S
)


def sql_text(source: str) -> str:
    """What reaches the engine from a model's own text: Jinja comments, expressions and tags
    and SQL comments left out (a macro call `{{ median(x) }}` is the macro's business)."""
    for pattern in (r"\{#.*?#\}", r"\{\{.*?\}\}", r"\{%.*?%\}", r"--[^\n]*"):
        source = re.sub(pattern, " ", source, flags=re.S)
    return source


def duckdb_only_spellings(source: str) -> list[str]:
    text = sql_text(ENGINE_MACRO.sub(" ", source))
    return [name for name, pattern in DUCKDB_ONLY.items() if re.search(pattern, text, re.I)]


def project_sql_files() -> list[Path]:
    return sorted(
        path
        for folder in ("models", "macros", "tests")
        for path in (DBT_PROJECT_DIR / folder).rglob("*.sql")
    )


def test_no_duckdb_only_sql_outside_dispatched_macros():
    found = {
        str(path.relative_to(DBT_PROJECT_DIR)): spellings
        for path in project_sql_files()
        if (spellings := duckdb_only_spellings(path.read_text(encoding="utf-8")))
    }
    assert not found, f"DuckDB-only SQL outside a dispatched macro: {found}"


@pytest.mark.parametrize(
    "model",
    [
        "select a::int from t",
        "select * from t qualify row_number() over () = 1",
        "select count(*) filter (where x) from t",
        "select * exclude (a) from t",
        "select strftime(d, '%Y') from t",
        "select date_diff('day', a, b) from t",
        "select median(x) from t",
        "with a as materialized (select 1) select * from a",
        "select * from range(3)",
    ],
)
def test_the_scan_finds_duckdb_only_sql(model):
    assert duckdb_only_spellings(model)


@pytest.mark.parametrize(
    "model",
    [
        "select {{ median('x') }}, {{ dbt.datediff('a', 'b', 'day') }} from t -- median(x)",
        "{% macro duckdb__f(x) %} {{ x }}::int {% endmacro %} select f from t",
        "select cast(a as int), greatest(a, b), date_trunc('month', d) from t",
    ],
)
def test_the_scan_leaves_portable_sql_and_dispatched_macros(model):
    assert duckdb_only_spellings(model) == []


def test_the_dbt_spark_target_opens_the_session_the_ingest_opens():
    """The landed tables are registered by a pyspark session (orchestration.spark) and read
    by dbt's: both must name the same metastore, warehouse folder and settings."""
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["reformwatch"]["outputs"]["spark"]["server_side_parameters"]
    conf = spark.session_conf(spark.SparkPaths(Path("/SPARKDIR")), driver_memory="MEMORY")
    assert set(parameters) == set(conf)
    dir_var = "(var('reformwatch_spark_dir', none) or env_var('REFORMWATCH_SPARK_DIR'))"
    for key, value in conf.items():
        template = parameters[key]
        if "/SPARKDIR" in value:
            prefix, _, suffix = value.partition("/SPARKDIR")
            expected = (
                "{{ "
                + " ~ ".join(
                    part
                    for part in (
                        f"'{prefix}'" if prefix else "",
                        dir_var,
                        f"'{suffix}'" if suffix else "",
                    )
                    if part
                )
                + " }}"
            )
            assert template == expected, key
        elif value == "MEMORY":
            assert "reformwatch_spark_driver_memory" in template
            assert spark.DEFAULT_DRIVER_MEMORY in template
        else:
            assert template == value, key


@pytest.mark.parametrize(
    ("value", "engine"), [(None, "duckdb"), ("", "duckdb"), ("Spark", "spark")]
)
def test_engine_setting(value, engine):
    assert engine_of(value) == engine
    assert load_settings({"REFORMWATCH_ENGINE": value or ""}).engine == engine


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="duckdb, spark"):
        engine_of("postgres")


def test_the_spark_folder_follows_the_data_dir_unless_set(tmp_path):
    assert load_settings({"REFORMWATCH_DATA_DIR": str(tmp_path)}).spark_root == tmp_path / "spark"
    chosen = load_settings({"REFORMWATCH_SPARK_DIR": str(tmp_path / "elsewhere")})
    assert chosen.spark_root == tmp_path / "elsewhere"


def test_a_landed_table_is_created_over_its_partitions():
    table = spark.LandedTable(
        "raw.budget_allocation_rows",
        spark.MONTH_COLUMN,
        (("unit_code", "string"), ("planned_vnd", "bigint"), (spark.MONTH_COLUMN, "string")),
        3,
    )
    ddl = spark.spark_ddl(table, Path("/lake/raw/budget_allocation_rows"))
    assert ddl[2] == (
        "create table raw.budget_allocation_rows (`unit_code` string, `planned_vnd` bigint, "
        "`landing_month` string) using parquet partitioned by (`landing_month`) "
        "location '/lake/raw/budget_allocation_rows'"
    )
    assert ddl[-1] == "msck repair table raw.budget_allocation_rows"


def test_export_partitions_by_month_and_keeps_every_row(tmp_path):
    import duckdb

    with duckdb.connect() as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.asset_inventory_rows as select * from (values "
            "(date '2025-06-30', 'A1'), (date '2025-07-31', 'A1'), (date '2025-07-31', 'A2')) "
            "t(snapshot_date, asset_code)"
        )
        paths = spark.SparkPaths(tmp_path)
        target = paths.landed_dir("raw.asset_inventory_rows")
        landed = spark.export_landed_table(con, "raw.asset_inventory_rows", target)
        months = sorted(p.name for p in target.iterdir())
        back = con.execute(
            f"select count(*) from read_parquet('{target}/**/*.parquet', hive_partitioning=1)"
        ).fetchone()[0]
    assert months == ["landing_month=2025-06", "landing_month=2025-07"]
    assert landed.rows == back == 3
    assert landed.columns[-1] == (spark.MONTH_COLUMN, "string")


def test_equal_builds_differ_in_nothing():
    duck = pd.DataFrame(
        {
            "unit": ["b", "a"],
            "share": [0.1 + 0.2, 0.5],
            "amount": [decimal.Decimal("1.500"), decimal.Decimal("2.000")],
            "month": [dt.date(2025, 7, 1), dt.date(2025, 8, 1)],
            "n": [1, None],
        }
    )
    spark_frame = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "share": [0.5, 0.3],
            "amount": [2.0, 1.5],
            "month": pd.to_datetime(["2025-08-01", "2025-07-01"]),
            "n": [None, 1],
        }
    )
    assert differences(duck, spark_frame) == []


def test_a_differing_value_row_or_column_is_reported():
    duck = pd.DataFrame({"unit": ["a", "b"], "share": [0.5, 0.25]})
    assert differences(duck, duck.assign(share=[0.5, 0.2501]))[0].startswith("share: 1 rows")
    assert differences(duck, duck.iloc[:1]) == ["2 rows vs 1"]
    assert differences(duck, duck.rename(columns={"share": "ratio"}))[0].startswith("columns")
    assert differences(duck, duck.assign(unit=["a", "c"]))[0].startswith("unit: 1 rows")
