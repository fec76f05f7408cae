"""Apache Spark as the warehouse engine (`REFORMWATCH_ENGINE=spark`, docs/spark.md).

The ingest keeps its one path (contract, pseudonyms, quarantine, accounting) in its DuckDB
working file; on Spark its last step lands what it accepted in a lakehouse: every table dbt
reads as a source (`raw`, and the ingest's `audit` ledgers) as Parquet, partitioned by source
and month, registered as Spark tables in the metastore the dbt `spark` target opens. dbt then
builds the same models on Spark; the gate reads the Spark tables' Parquet files.

Layout under the Spark folder (`SparkPaths`, default `<data_dir>/spark`):
- `lakehouse/<schema>/<table>/<partition>=<value>/*.parquet`: the landed tables;
- `warehouse/<schema>.db/<table>/`: Spark's managed tables (dbt's models and seeds);
- `metastore_db/`: the local Hive metastore (Derby) naming both.

pyspark is imported only inside the functions that start Spark: the default install has no
Spark (`make setup-spark` adds it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from orchestration import sql

DEFAULT_DRIVER_MEMORY = "2g"
MISSING_JAVA = (
    "the Spark engine needs a Java 17+ runtime: none found on PATH or in JAVA_HOME "
    "(Debian: apt-get install openjdk-17-jre-headless)"
)
MISSING_PYSPARK = "the Spark engine's extras are not installed: run `make setup-spark`"

SAMPLE_SEED = 20250701

# The partition column of a landed table that has no `source` column of its own: the month of
# the row's record date (the raw tables are one per source, so the table is the source).
MONTH_COLUMN = "landing_month"

# What dbt reads as sources, and how each is partitioned on landing: the raw tables by their
# record's month (DuckDB SQL on the ingest's file), the ingest's ledgers by source.
LANDED_TABLES: dict[str, tuple[str, str]] = {
    "raw.procedure_log_events": (MONTH_COLUMN, "strftime(event_at, '%Y-%m')"),
    "raw.personnel_roster_rows": (MONTH_COLUMN, "strftime(snapshot_date, '%Y-%m')"),
    "raw.budget_allocation_rows": (MONTH_COLUMN, "printf('%04d-%02d', fiscal_year, period)"),
    "raw.asset_inventory_rows": (MONTH_COLUMN, "strftime(snapshot_date, '%Y-%m')"),
    "audit.ingest_files": ("source", "source"),
    "audit.quarantine": ("source", "source"),
    "audit.file_corrections": ("source", "source"),
}

# The ingest's ledgers, landed with each source's rows (their counts must balance on Spark too).
LEDGERS = tuple(relation for relation in LANDED_TABLES if relation.startswith("audit."))

# DuckDB column types → Spark SQL types of the landed tables. DuckDB's `timestamp` has no
# zone, as Spark's `timestamp_ntz` (the session's default timestamp type, `session_conf`).
SPARK_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
}


@dataclass(frozen=True)
class SparkPaths:
    root: Path

    @property
    def lakehouse(self) -> Path:
        return self.root / "lakehouse"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse"

    @property
    def metastore(self) -> Path:
        return self.root / "metastore_db"

    def table_dir(self, relation: str) -> Path:
        """A managed table's folder (dbt's models and seeds): `<schema>.db/<table>`."""
        schema, table = relation.split(".")
        return self.warehouse / f"{schema}.db" / table

    def landed_dir(self, relation: str) -> Path:
        schema, table = relation.split(".")
        return self.lakehouse / schema / table


def session_conf(paths: SparkPaths, driver_memory: str = DEFAULT_DRIVER_MEMORY) -> dict[str, str]:
    """The local session's settings; dbt's `spark` target (dbt_project/profiles.yml) sets the
    same. Small on purpose (2 shuffle partitions): CI machines have two cores. Timestamps
    without zone, read and written in UTC, as DuckDB's `timestamp`; partition values stay
    strings (`2025-07` is a month, not something to guess a type for)."""
    return {
        "spark.sql.warehouse.dir": str(paths.warehouse),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={paths.metastore};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={paths.root}",
        "spark.driver.memory": driver_memory,
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.timestampType": "TIMESTAMP_NTZ",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return True
    if not shutil.which("java"):
        return False
    return subprocess.run(["java", "-version"], capture_output=True).returncode == 0


def require_spark() -> None:
    """Fail with what to do, before Spark fails with a Py4J trace."""
    if not java_available():
        raise RuntimeError(MISSING_JAVA)
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise RuntimeError(MISSING_PYSPARK) from error


@contextmanager
def spark_session(paths: SparkPaths, driver_memory: str = DEFAULT_DRIVER_MEMORY) -> Iterator:
    """A local Spark session on the metastore; stopped on leaving, so the dbt process can open
    the (single-process) Derby metastore after it."""
    require_spark()
    from pyspark.sql import SparkSession

    paths.root.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.master("local[2]").appName("reformwatch").enableHiveSupport()
    for key, value in session_conf(paths, driver_memory).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()


@dataclass(frozen=True)
class LandedTable:
    relation: str
    partition_column: str
    columns: tuple[tuple[str, str], ...]  # (name, Spark type), the partition column last
    rows: int


def landed_columns(
    con: duckdb.DuckDBPyConnection, relation: str, partition_column: str
) -> tuple[tuple[str, str], ...]:
    described = con.execute(f"describe {sql.relation(relation)}").fetchall()
    columns = []
    for name, duckdb_type, *_ in described:
        if duckdb_type not in SPARK_TYPES:
            raise ValueError(f"{relation}.{name}: no Spark type for DuckDB {duckdb_type}")
        if name != partition_column:
            columns.append((name, SPARK_TYPES[duckdb_type]))
    return (*columns, (partition_column, "string"))


def landed_table(con: duckdb.DuckDBPyConnection, relation: str) -> LandedTable:
    """A source table's shape on Spark: its columns, the partition column last."""
    partition_column, _ = LANDED_TABLES[relation]
    rows = con.execute(f"select count(*) from {sql.relation(relation)}").fetchone()[0]
    return LandedTable(
        relation, partition_column, landed_columns(con, relation, partition_column), rows
    )


def export_landed_table(con: duckdb.DuckDBPyConnection, relation: str, target: Path) -> LandedTable:
    """One source table as Parquet, one folder per partition value, replacing what an earlier
    landing wrote (the ingest's tables are the whole truth each time)."""
    table = landed_table(con, relation)
    _, expression = LANDED_TABLES[relation]
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    kept = ", ".join(sql.identifier(name) for name, _ in table.columns[:-1])
    query = (
        f"select {kept}, {expression} as {sql.identifier(table.partition_column)} "
        f"from {sql.relation(relation)}"
    )
    if table.rows:
        con.execute(
            f"copy ({query}) to {sql.literal(target)} "
            f"(format parquet, partition_by ({sql.identifier(table.partition_column)}), "
            "write_partition_columns false)"
        )
    return table


def source_relations(raw_table: str) -> tuple[str, ...]:
    """What one source's ingest lands: its raw table and the ledgers."""
    return (f"raw.{raw_table}", *LEDGERS)


def export_landing(
    con: duckdb.DuckDBPyConnection,
    paths: SparkPaths,
    relations: tuple[str, ...] = tuple(LANDED_TABLES),
) -> list[LandedTable]:
    """Tables dbt reads as sources, from the ingest's DuckDB file to the lakehouse (DuckDB
    writes the Parquet: no Spark needed). Timestamps with zone are written in UTC, as the
    Spark session reads them."""
    con.execute("set TimeZone = 'UTC'")
    return [
        export_landed_table(con, relation, paths.landed_dir(relation)) for relation in relations
    ]


def spark_ddl(table: LandedTable, location: Path) -> list[str]:
    """Drop and create the table over its folder, then pick up its partitions."""
    name = table.relation
    columns = ", ".join(f"`{column}` {kind}" for column, kind in table.columns)
    return [
        f"create database if not exists {name.split('.')[0]}",
        f"drop table if exists {name}",
        f"create table {name} ({columns}) using parquet "
        f"partitioned by (`{table.partition_column}`) location '{location}'",
        f"msck repair table {name}",
    ]


def register_landing(session, tables: list[LandedTable], paths: SparkPaths) -> None:
    """The landed tables in the Spark metastore, under the names dbt's sources use."""
    for table in tables:
        for statement in spark_ddl(table, paths.landed_dir(table.relation)):
            session.sql(statement)


def pull_tables(session, relations: list[str], sample_rows: dict[str, int], out: Path) -> None:
    """Each relation as Spark reads it, to one Parquet file under `out` (`schema.table`): a
    repeatable sample of `sample_rows` rows for the large staging tables, as on DuckDB."""
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    for relation in relations:
        frame = session.table(relation)
        limit = sample_rows.get(relation)
        total = frame.count() if limit else 0
        if limit and total > limit:
            frame = frame.sample(fraction=limit / total, seed=SAMPLE_SEED)
        pq.write_table(frame.toArrow(), out / f"{relation}.parquet")


def in_spark_process(paths: SparkPaths, job: dict, driver_memory: str) -> None:
    """Run `job` in a Python process of its own, whose JVM ends with it: the local metastore
    (Derby) admits one JVM at a time, and pyspark keeps its JVM after `stop()`, which would
    lock out the dbt process that comes next."""
    require_spark()
    arguments = [str(paths.root), driver_memory, json.dumps(job)]
    done = subprocess.run(
        [sys.executable, "-m", "orchestration.spark", *arguments], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"Spark {job['action']} failed:\n{done.stderr[-4000:]}")


def register_on_spark(
    con: duckdb.DuckDBPyConnection, paths: SparkPaths, driver_memory: str = DEFAULT_DRIVER_MEMORY
) -> list[LandedTable]:
    """Before dbt runs on Spark: every landed table (re)created in the metastore over its
    folder (shapes from the ingest's file; one short Spark process)."""
    tables = [landed_table(con, relation) for relation in LANDED_TABLES]
    job = {"action": "register", "tables": [asdict(table) for table in tables]}
    in_spark_process(paths, job, driver_memory)
    return tables


def land_on_spark(
    con: duckdb.DuckDBPyConnection, paths: SparkPaths, driver_memory: str = DEFAULT_DRIVER_MEMORY
) -> list[LandedTable]:
    """The whole landing at once (the Dagster ingest exports per source, `export_landing`,
    and the dbt asset registers): export, then register."""
    require_spark()
    export_landing(con, paths)
    return register_on_spark(con, paths, driver_memory)


@contextmanager
def pulled_from_spark(
    paths: SparkPaths,
    relations: list[str],
    sample_rows: dict[str, int],
    driver_memory: str = DEFAULT_DRIVER_MEMORY,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The gate on Spark: each relation read by Spark into an in-memory DuckDB under its own
    name, so the one GE runner validates it as it validates the DuckDB warehouse."""
    with tempfile.TemporaryDirectory(dir=paths.root) as folder:
        job = {"action": "pull", "relations": relations, "samples": sample_rows, "out": folder}
        in_spark_process(paths, job, driver_memory)
        reader = duckdb.connect()
        try:
            for relation in relations:
                copy_into(reader, relation, Path(folder) / f"{relation}.parquet")
            yield reader
        finally:
            reader.close()


def copy_into(con: duckdb.DuckDBPyConnection, relation: str, parquet: Path) -> None:
    schema, _ = relation.split(".")
    con.execute(f"create schema if not exists {sql.identifier(schema)}")
    source = f"read_parquet({sql.literal(parquet)})"
    con.execute(f"create table {sql.relation(relation)} as select * from {source}")


def run_job(paths: SparkPaths, driver_memory: str, job: dict) -> None:
    """The Spark side of `in_spark_process`."""
    with spark_session(paths, driver_memory) as session:
        if job["action"] == "register":
            tables = [
                LandedTable(
                    t["relation"], t["partition_column"], tuple(map(tuple, t["columns"])), t["rows"]
                )
                for t in job["tables"]
            ]
            register_landing(session, tables, paths)
        elif job["action"] == "pull":
            pull_tables(session, job["relations"], job["samples"], Path(job["out"]))
        else:
            raise ValueError(f"unknown Spark job {job['action']!r}")


def read_spark_table(paths: SparkPaths, relation: str):
    """A managed Spark table (a dbt model) as a pandas frame, read from its Parquet files by
    DuckDB: no JVM, and the metastore stays free for the next dbt run."""
    files = paths.table_dir(relation) / "**" / "*.parquet"
    with duckdb.connect() as con:
        return con.execute(f"select * from read_parquet({sql.literal(files)})").df()


if __name__ == "__main__":
    run_job(SparkPaths(Path(sys.argv[1])), sys.argv[2], json.loads(sys.argv[3]))
