"""The BI copy and the export folder, as an analyst and a spreadsheet user meet them: the copy
opens in DuckDB 1.1 and in the newest DuckDB, through SQLAlchemy as Superset reads it, carries
the dbt descriptions as comments and no 128-bit integers; the marts arrive as Parquet and as
CSV that Excel reads in Vietnamese; a publication that fails leaves the previous one whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.publication import UTF8_BOM, dbt_descriptions, export_marts, publish_for_bi
from orchestration.settings import Settings, resolve_settings

OLDEST_READER = "1.1.3"  # the oldest DuckDB the copy promises to open (README)
NEWEST_1X_READER = "duckdb<2"  # the newest 1.x, as most BI drivers embed
SUPERSET_SQLALCHEMY = "sqlalchemy==1.4.54"  # apache-superset 6.1 requires sqlalchemy<2

PROVINCES = [("01", "Thành phố Hà Nội", 8_500_000), ("22", "Tỉnh Quảng Ninh", 1_400_000)]
DESCRIBED = {
    "dim_admin_unit": "The current administrative units, one row per unit ('today').",
    "unit_name": "Official name, e.g. Thành phố Hà Nội.",
    "population": "Residents (seed `population`).",
}


def build_warehouse(settings: Settings, population_sum_of: str = "population") -> None:
    """A warehouse shaped as the pipeline leaves it: a mart whose population is a sum (which
    DuckDB types HUGEINT), a fact table, an audit table the ingest writes, a seed, raw rows."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        for schema in ("marts", "audit", "reference", "raw"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            "create or replace table reference.population (unit_code varchar, population integer)"
        )
        con.executemany(
            "insert into reference.population values (?, ?)",
            [(code, people) for code, _, people in PROVINCES],
        )
        con.execute("create or replace table units (unit_code varchar, unit_name varchar)")
        con.executemany("insert into units values (?, ?)", [(c, n) for c, n, _ in PROVINCES])
        con.execute(f"""create or replace table marts.dim_admin_unit as
            select u.unit_code, u.unit_name, sum({population_sum_of}) as population
            from units u join reference.population p using (unit_code) group by all""")
        con.execute("""create or replace table marts.fct_dossiers as
            select 'HS-' || i as dossier_code, date '2025-07-01' + i::int as received_on,
                   i / 3 as processing_days
            from range(5) r(i)""")
        con.execute("create or replace table audit.ingest_files as select 'f1' as file_id")
        con.execute(
            "create or replace table raw.procedure_log_events as select 'x' as applicant_key"
        )
        con.execute("drop table units")


def write_manifest(path: Path) -> Path:
    """The parts of dbt's manifest the publication reads: one model, one seed, one source."""

    def node(kind: str, schema: str, name: str, description: str, columns: dict[str, str]):
        return {
            "resource_type": kind,
            "schema": schema,
            "name": name,
            "alias": name,
            "description": description,
            "columns": {c: {"name": c, "description": d} for c, d in columns.items()},
        }

    unit_columns = {
        "unit_code": "GSO code.",
        "unit_name": DESCRIBED["unit_name"],
        "population": DESCRIBED["population"],
        "documented_but_not_built": "A YAML column the table lacks is skipped, not an error.",
    }
    manifest = {
        "nodes": {
            "model.reformwatch.dim_admin_unit": node(
                "model", "marts", "dim_admin_unit", DESCRIBED["dim_admin_unit"], unit_columns
            ),
            "seed.reformwatch.population": node(
                "seed", "reference", "population", "Residents per unit.", {"population": "People."}
            ),
            "test.reformwatch.not_null": node("test", "marts", "not_null", "a test", {}),
        },
        "sources": {
            "source.reformwatch.raw.procedure_log_events": node(
                "source", "raw", "procedure_log_events", "Raw events.", {}
            )
        },
    }
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.fixture
def published(tmp_path) -> Settings:
    settings = resolve_settings(tmp_path / "data")
    build_warehouse(settings)
    publish_for_bi(settings, write_manifest(tmp_path / "manifest.json"))
    return settings


def copy_columns(settings: Settings) -> pd.DataFrame:
    with duckdb.connect(str(settings.published_warehouse), read_only=True) as con:
        return con.execute(
            "select schema_name, table_name, column_name, data_type, comment"
            " from duckdb_columns() where not internal"
        ).df()


def test_counts_summed_into_hugeint_reach_the_copy_as_bigint(published):
    columns = copy_columns(published).set_index(["table_name", "column_name"])
    assert not columns.data_type.isin(["HUGEINT", "UHUGEINT"]).any()
    assert columns.loc[("dim_admin_unit", "population"), "data_type"] == "BIGINT"
    with duckdb.connect(str(published.published_warehouse), read_only=True) as con:
        rows = con.execute(
            "select unit_name, population from marts.dim_admin_unit order by 1"
        ).fetchall()
    assert rows == sorted((name, people) for _, name, people in PROVINCES)


def test_dbt_descriptions_become_table_and_column_comments(published):
    columns = copy_columns(published).set_index(["table_name", "column_name"])
    assert columns.loc[("dim_admin_unit", "unit_name"), "comment"] == DESCRIBED["unit_name"]
    assert columns.loc[("dim_admin_unit", "population"), "comment"] == DESCRIBED["population"]
    assert columns.loc[("population", "population"), "comment"] == "People."
    with duckdb.connect(str(published.published_warehouse), read_only=True) as con:
        comments = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
    assert comments["dim_admin_unit"] == DESCRIBED["dim_admin_unit"]
    assert comments["ingest_files"] is None  # written by the ingest, not described in dbt


def test_the_copy_carries_the_analysts_schemas_and_never_raw_rows(published):
    tables = set(copy_columns(published).pipe(lambda c: c.schema_name + "." + c.table_name))
    assert tables == {
        "marts.dim_admin_unit",
        "marts.fct_dossiers",
        "audit.ingest_files",
        "reference.population",
    }


def test_every_published_dbt_table_of_the_project_has_a_description(dbt_manifest):
    """The real manifest: every model and seed in a published schema has a table description
    and one for each column, so every table and column in the copy gets its comment."""
    from orchestration.warehouse import PUBLISHED_SCHEMAS

    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    published = {
        (n["schema"], n["alias"]): n
        for n in manifest["nodes"].values()
        if n["resource_type"] in {"model", "seed"} and n["schema"] in PUBLISHED_SCHEMAS
    }
    described = dbt_descriptions(dbt_manifest)
    assert ("marts", "dim_admin_unit") in published
    for key, node in published.items():
        assert described[key].table.strip(), key
        assert set(described[key].columns) == set(node["columns"]), key


def test_marts_are_exported_as_parquet_and_as_csv_excel_reads_in_vietnamese(published):
    exports = published.published_exports
    assert exports.parent == published.published_warehouse.parent
    assert sorted(p.name for p in (exports / "parquet").iterdir()) == [
        "dim_admin_unit.parquet",
        "fct_dossiers.parquet",
    ]
    assert sorted(p.name for p in (exports / "csv").iterdir()) == [
        "dim_admin_unit.csv",
        "fct_dossiers.csv",
    ]
    units_csv = (exports / "csv" / "dim_admin_unit.csv").read_bytes()
    assert units_csv.startswith(b"\xef\xbb\xbf")
    # a header, a line per row, the last row ended by one newline like every other
    assert units_csv.count(b"\n") == 1 + len(PROVINCES) and units_csv.endswith(b"\n")
    assert not units_csv.endswith(b"\n\n")
    from_csv = pd.read_csv(exports / "csv" / "dim_admin_unit.csv", encoding="utf-8-sig", dtype=str)
    assert list(from_csv.columns) == ["unit_code", "unit_name", "population"]
    assert set(from_csv.unit_name) == {name for _, name, _ in PROVINCES}
    from_parquet = pd.read_parquet(exports / "parquet" / "dim_admin_unit.parquet")
    assert str(from_parquet.population.dtype) == "int64"
    assert len(pd.read_parquet(exports / "parquet" / "fct_dossiers.parquet")) == 5


def test_a_mart_longer_than_excel_opens_is_exported_in_parts_that_each_open_whole(
    published, tmp_path
):
    """Excel keeps the first 1,048,576 rows of a CSV and drops the rest behind a warning;
    fct_dossiers has 1.65 M at 10x. Parts of two rows stand in for parts of 1,048,575: a mart
    of exactly two rows stays one file."""
    with duckdb.connect() as con:
        con.execute(f"attach '{published.published_warehouse}' as bi (read_only)")
        export_marts(con, tmp_path, part_rows=2)
        expected = con.execute("select dossier_code from bi.marts.fct_dossiers").df()
    parts = sorted((tmp_path / "csv").glob("fct_dossiers*"))
    assert [p.name for p in parts] == [f"fct_dossiers.part-{i}-of-3.csv" for i in (1, 2, 3)]
    assert all(part.read_bytes().startswith(UTF8_BOM) for part in parts)
    frames = [pd.read_csv(part, encoding="utf-8-sig", dtype=str) for part in parts]
    assert [len(frame) for frame in frames] == [2, 2, 1]
    assert pd.concat(frames).dossier_code.tolist() == expected.dossier_code.tolist()
    assert [p.name for p in (tmp_path / "csv").glob("dim_admin_unit*")] == ["dim_admin_unit.csv"]
    assert len(pd.read_parquet(tmp_path / "parquet" / "fct_dossiers.parquet")) == 5


def test_a_mart_gone_from_the_warehouse_is_gone_from_the_export(published, tmp_path):
    with duckdb.connect(str(published.warehouse)) as con:
        con.execute("drop table marts.fct_dossiers")
    publish_for_bi(published, tmp_path / "manifest.json")
    assert not (published.published_exports / "csv" / "fct_dossiers.csv").exists()
    assert not list(published.published_warehouse.parent.glob("*.tmp"))
    assert not list(published.published_warehouse.parent.glob("export.*"))


def test_a_failed_publication_leaves_the_previous_copy_and_export_whole(published, tmp_path):
    """A population past BIGINT cannot be narrowed: the publication fails loudly and BI users
    keep the copy and the files of the last good run."""
    before = published.published_warehouse.read_bytes()
    csv_before = (published.published_exports / "csv" / "dim_admin_unit.csv").read_bytes()
    build_warehouse(published, population_sum_of="population::hugeint * 1e19::hugeint")
    with pytest.raises(duckdb.Error, match="(?i)out of range|overflow|can't be cast"):
        publish_for_bi(published, tmp_path / "manifest.json")
    assert published.published_warehouse.read_bytes() == before
    assert (published.published_exports / "csv" / "dim_admin_unit.csv").read_bytes() == csv_before
    build_warehouse(published)  # the next good run publishes over what the failed one left
    publish_for_bi(published, tmp_path / "manifest.json")
    assert copy_columns(published).table_name.eq("dim_admin_unit").any()
    assert not list(published.published_warehouse.parent.glob("*.tmp*"))


# --- other readers, each installed for the test into a folder of its own -----------------


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """`installed(*requirements)` → a folder holding them (pip --target, from the registry),
    to put first on a subprocess's PYTHONPATH; skips with the pip error when the registry
    does not serve them."""
    folders: dict[tuple[str, ...], Path] = {}

    def install(*requirements: str) -> Path:
        if requirements not in folders:
            target = tmp_path_factory.mktemp("readers")
            done = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
                + ["--no-warn-conflicts", "--no-deps", "--target", str(target), *requirements],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                pytest.skip(f"pip cannot install {requirements} here: {done.stderr[-500:]}")
            folders[requirements] = target
        return folders[requirements]

    return install


READ_WITH_DUCKDB = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "tables": sorted(s + "." + t for s, t in con.execute(
        "select schema_name, table_name from duckdb_tables()").fetchall()),
    "types": sorted({t for (t,) in con.execute(
        "select distinct data_type from duckdb_columns() where not internal").fetchall()}),
    "comment": con.execute("select comment from duckdb_columns() where table_name = "
        "'dim_admin_unit' and column_name = 'population'").fetchone()[0],
    "population": con.execute("select sum(population) from marts.dim_admin_unit").fetchone()[0],
}))
"""


def read_in_subprocess(script: str, path: Path, *folders: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        env={"PYTHONPATH": ":".join(str(f) for f in folders), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    "reader", [f"duckdb=={OLDEST_READER}", NEWEST_1X_READER, "installed"], ids=str
)
def test_the_copy_opens_in_duckdb_1_1_the_newest_1x_and_the_installed_duckdb(
    published, installed, reader
):
    folders = () if reader == "installed" else (installed(reader),)
    seen = read_in_subprocess(READ_WITH_DUCKDB, published.published_warehouse, *folders)
    if reader == "installed":
        assert seen["version"] == duckdb.__version__
    elif reader == NEWEST_1X_READER:
        assert seen["version"].startswith("1.")
    else:
        assert seen["version"] == OLDEST_READER
    assert "marts.dim_admin_unit" in seen["tables"]
    assert "HUGEINT" not in seen["types"]
    assert seen["comment"] == DESCRIBED["population"]
    assert seen["population"] == sum(people for _, _, people in PROVINCES)


READ_WITH_SQLALCHEMY = """
import json, sys, duckdb, sqlalchemy
engine = sqlalchemy.create_engine("duckdb:///" + sys.argv[1], connect_args={"read_only": True})
inspector = sqlalchemy.inspect(engine)
columns = inspector.get_columns("dim_admin_unit", schema="marts")
print(json.dumps({
    "versions": [duckdb.__version__, sqlalchemy.__version__],
    "tables": inspector.get_table_names(schema="marts"),
    "columns": {c["name"]: [str(c["type"]), c.get("comment")] for c in columns},
    "table_comment": inspector.get_table_comment("dim_admin_unit", schema="marts")["text"],
}))
"""


@pytest.mark.parametrize("reader", [f"duckdb=={OLDEST_READER}", NEWEST_1X_READER], ids=str)
def test_superset_lists_the_columns_and_their_comments_through_duckdb_engine(
    published, installed, reader
):
    """duckdb-engine with SQLAlchemy 1.4 and DuckDB 1.x, as `apache-superset[duckdb]` 6.1
    installs them. (With SQLAlchemy 2.1, the project's own, listing columns fails on every
    DuckDB: its PostgreSQL reflection reads pg_collation, which DuckDB lacks; README.)"""
    engine = installed("duckdb-engine", SUPERSET_SQLALCHEMY)
    folders = (engine, installed(reader))
    seen = read_in_subprocess(READ_WITH_SQLALCHEMY, published.published_warehouse, *folders)
    assert seen["versions"][1] == SUPERSET_SQLALCHEMY.split("==")[1]
    assert seen["tables"] == ["dim_admin_unit", "fct_dossiers"]
    assert seen["columns"]["population"] == ["BIGINT", DESCRIBED["population"]]
    assert seen["columns"]["unit_name"][1] == DESCRIBED["unit_name"]
    assert seen["table_comment"] == DESCRIBED["dim_admin_unit"]


def test_the_duckdb_cli_opens_the_copy_read_only_and_shows_comments(published, installed):
    """The DuckDB command-line shell (PyPI `duckdb-cli`), as the README tells an analyst."""
    cli = installed("duckdb-cli")
    sql = (
        "select table_name, comment from duckdb_tables() where table_name = 'dim_admin_unit';"
        "select count(*) from marts.dim_admin_unit"
    )
    done = subprocess.run(
        [sys.executable, "-m", "duckdb_cli", "-readonly", "-csv", "-noheader"]
        + [str(published.published_warehouse), "-c", sql],
        env={"PYTHONPATH": str(cli), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("dim_admin_unit,") and "one row per unit" in lines[0]
    assert lines[-1] == str(len(PROVINCES))
