"""Every path and tunable of ReformWatch, resolved to absolute paths, in one place.

`resolve_settings` derives the documented defaults (DEVELOPERS.md, "Paths"); `load_settings`
reads the `REFORMWATCH_*` overrides from the environment without ever writing it. Dagster code
receives the same values through `orchestration.resources.WarehouseResource`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

DEFAULT_DATA_DIR = REPO_ROOT / "data"
DEFAULT_MEMORY_LIMIT = "1GB"
# The engine dbt builds the models on (orchestration/spark.py): DuckDB, or Apache Spark.
ENGINES = ("duckdb", "spark")
DEVELOPMENT_PSEUDONYM_KEY = "reformwatch-development-key-not-for-production"


def dbt_command(*arguments: str) -> list[str]:
    """A dbt CLI call on this project, as `make` runs it: the `dbt` installed beside this
    Python (a test or script need not have the environment on PATH), the project and its
    profiles named absolutely (no working directory assumed)."""
    return [
        str(Path(sys.executable).parent / "dbt"),
        *arguments,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    memory_limit: str
    tmp_dir: Path
    pseudonym_key: str
    engine: str = ENGINES[0]
    spark_dir: Path | None = None  # default: <data_dir>/spark (lakehouse, Spark warehouse)

    @property
    def spark_root(self) -> Path:
        return self.spark_dir or self.data_dir / "spark"

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def quality_dir(self) -> Path:
        return self.data_dir / "quality"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def dbt_runs_dir(self) -> Path:
        """dbt's own log and artifacts (run results, manifest, compiled SQL), a folder per build."""
        return self.data_dir / "logs" / "dbt"

    @property
    def published_warehouse(self) -> Path:
        """The read-only copy BI tools open (DuckDB 1.x storage format)."""
        return self.warehouse.with_name(self.warehouse.stem + "_bi.duckdb")

    @property
    def published_exports(self) -> Path:
        """The marts as Parquet and CSV files, beside the BI copy, for people without a BI tool."""
        return self.warehouse.with_name("export")

    @property
    def uses_development_key(self) -> bool:
        return self.pseudonym_key == DEVELOPMENT_PSEUDONYM_KEY


def resolve_settings(
    data_dir: str | Path = DEFAULT_DATA_DIR,
    warehouse: str | Path | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    tmp_dir: str | Path | None = None,
    pseudonym_key: str = DEVELOPMENT_PSEUDONYM_KEY,
    engine: str | None = None,
    spark_dir: str | Path | None = None,
) -> Settings:
    """Absolute paths (a relative one is taken from the working directory of the caller, as a
    shell would); the warehouse and the spill directory default to places under `data_dir`."""
    data = Path(data_dir).resolve()
    return Settings(
        data_dir=data,
        warehouse=Path(warehouse or data / "warehouse" / "reformwatch.duckdb").resolve(),
        memory_limit=memory_limit,
        tmp_dir=Path(tmp_dir or data / "tmp").resolve(),
        pseudonym_key=pseudonym_key,
        engine=engine_of(engine),
        spark_dir=Path(spark_dir).resolve() if spark_dir else None,
    )


def engine_of(value: str | None) -> str:
    """`REFORMWATCH_ENGINE`'s value checked: empty means DuckDB."""
    engine = (value or ENGINES[0]).strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"REFORMWATCH_ENGINE={value!r}: one of {', '.join(ENGINES)}")
    return engine


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the `REFORMWATCH_*` overrides now (tests change them between calls)."""
    return resolve_settings(
        data_dir=environ.get("REFORMWATCH_DATA_DIR") or DEFAULT_DATA_DIR,
        warehouse=environ.get("REFORMWATCH_WAREHOUSE") or None,
        memory_limit=environ.get("REFORMWATCH_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        tmp_dir=environ.get("REFORMWATCH_TMP_DIR") or None,
        pseudonym_key=environ.get("REFORMWATCH_PSEUDONYM_KEY") or DEVELOPMENT_PSEUDONYM_KEY,
        engine=environ.get("REFORMWATCH_ENGINE") or None,
        spark_dir=environ.get("REFORMWATCH_SPARK_DIR") or None,
    )
