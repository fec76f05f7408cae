"""The same warehouse on Apache Spark (`-m spark`, docs/spark.md): a tiny simulation built on
DuckDB as `make run` builds it, its landed tables exported to the Spark lakehouse and
registered (the ingest's Spark step, `orchestration.spark.land_on_spark`), the whole dbt
project built on a local Spark session (seeds, every model, every data test), then every
table of `marts` and of dbt's `audit` models compared row for row with the DuckDB build.

The group installs the Spark extras (requirements-spark.lock) into this environment when they
are missing, and fails — not skips — without Java: `make test` in CI must run it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from built_warehouse import simulated_warehouse
from spark_compare import differences

from orchestration import spark
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, dbt_command

pytestmark = pytest.mark.spark

# Two provinces (slow stages need two for a national median) over fourteen months, so the
# reform's before and after both hold data; ~20,000 events.
PROVINCES, MONTHS, SCALE = "24,33", 14, 0.03
COMPARED_SCHEMAS = ("marts", "audit")


def spark_extras_installed() -> bool:
    return all(importlib.util.find_spec(name) for name in ("pyspark", "dbt.adapters.spark"))


def install_spark_extras() -> None:
    """A fresh clone's CI has the default install only: add the pinned Spark extras."""
    if spark_extras_installed():
        return
    lock = REPO_ROOT / "requirements-spark.lock"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["-r", str(lock)],
        check=True,
    )
    importlib.invalidate_caches()
    assert spark_extras_installed(), f"{lock} installed, but pyspark or dbt-spark is missing"


def test_the_spark_extras_add_no_warning_to_every_command():
    """pandera probes `pyspark.pandas` when imported: with the extras installed, every
    command printed pandas-on-Spark's FutureWarning about pandas 3, `--help` included."""
    install_spark_extras()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "reformwatch"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "usage" in done.stdout
    assert "Warning" not in done.stderr, done.stderr


def spark_dbt_build(paths: spark.SparkPaths, target_path: Path) -> subprocess.CompletedProcess:
    dbt_vars = {"reformwatch_spark_dir": str(paths.root)}
    return subprocess.run(
        dbt_command(
            "build",
            "--target",
            "spark",
            "--exclude-resource-type",
            "unit_test",
            "--target-path",
            str(target_path),
            "--vars",
            json.dumps(dbt_vars),
        ),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )


def built_models(target_path: Path) -> list[str]:
    """`schema.name` of every model the Spark build made in the compared schemas."""
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        f"{node['schema']}.{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in COMPARED_SCHEMAS
    )


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory):
    """(DuckDB warehouse, Spark paths, compared models, seconds per step)."""
    if not spark.java_available():
        pytest.fail(spark.MISSING_JAVA)
    install_spark_extras()
    root = tmp_path_factory.mktemp("spark-equality")
    seconds = {}
    started = time.perf_counter()
    warehouse, _ = simulated_warehouse(root / "data", PROVINCES, MONTHS, SCALE)
    seconds["duckdb_ingest_and_build"] = time.perf_counter() - started
    paths = spark.SparkPaths(root / "spark")
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        landed = spark.land_on_spark(con, paths)
    seconds["spark_landing"] = time.perf_counter() - started
    assert {table.relation for table in landed} == set(spark.LANDED_TABLES)
    target_path = root / "target-spark"
    started = time.perf_counter()
    build = spark_dbt_build(paths, target_path)
    seconds["spark_dbt_build"] = time.perf_counter() - started
    assert build.returncode == 0, build.stdout[-6000:]
    print(f"\nSpark equality timings (s): {json.dumps(seconds)}")
    return warehouse, paths, built_models(target_path)


def test_every_landed_table_is_registered_partitioned(both_builds):
    """Each raw table on Spark: Parquet under the lakehouse, one folder per month."""
    _, paths, _ = both_builds
    for relation, (partition_column, _) in spark.LANDED_TABLES.items():
        if relation.startswith("raw."):
            folders = sorted(p.name for p in paths.landed_dir(relation).iterdir() if p.is_dir())
            assert folders and all(f.startswith(f"{partition_column}=") for f in folders)


def test_spark_builds_every_mart(both_builds):
    _, _, models = both_builds
    project_marts = sorted(
        f"marts.{p.stem}" for p in (DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")
    )
    assert set(project_marts) <= set(models)


def test_every_mart_equals_the_duckdb_build(both_builds):
    """Row for row, values within 1e-9 (relative) — the engines' integer, date and string
    results must be identical, their floating-point sums nearly so."""
    warehouse, paths, models = both_builds
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for relation in models:
            expected = con.execute(f"select * from {relation}").df()
            actual = spark.read_spark_table(paths, relation)
            if problems := differences(expected, actual):
                found[relation] = problems
    assert not found, json.dumps(found, indent=1, default=str)
