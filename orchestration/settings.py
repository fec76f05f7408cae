"""Every path and tunable of ReformWatch, resolved once, absolute, from the repository root.

The working directory never matters: Dagster, dbt (through REFORMWATCH_WAREHOUSE, exported
below for the dbt subprocess) and the tests all see the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"

DEVELOPMENT_PSEUDONYM_KEY = "reformwatch-development-key-not-for-production"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse: Path
    memory_limit: str
    pseudonym_key: str

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
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def published_warehouse(self) -> Path:
        """The read-only copy BI tools open (DuckDB 1.x storage format)."""
        return self.warehouse.with_name(self.warehouse.stem + "_bi.duckdb")

    @property
    def uses_development_key(self) -> bool:
        return self.pseudonym_key == DEVELOPMENT_PSEUDONYM_KEY


def load_settings() -> Settings:
    """Read the environment now (tests change it between calls)."""
    data_dir = Path(os.environ.get("REFORMWATCH_DATA_DIR", REPO_ROOT / "data")).resolve()
    warehouse = Path(
        os.environ.get("REFORMWATCH_WAREHOUSE", data_dir / "warehouse" / "reformwatch.duckdb")
    ).resolve()
    return Settings(
        data_dir=data_dir,
        warehouse=warehouse,
        memory_limit=os.environ.get("REFORMWATCH_MEMORY_LIMIT", "1GB"),
        pseudonym_key=os.environ.get("REFORMWATCH_PSEUDONYM_KEY", DEVELOPMENT_PSEUDONYM_KEY),
    )


def export_for_dbt(settings: Settings) -> None:
    """dbt runs as a subprocess and reads the warehouse path from the environment."""
    os.environ["REFORMWATCH_WAREHOUSE"] = str(settings.warehouse)
    os.environ["REFORMWATCH_TMP_DIR"] = str(settings.tmp_dir)
    os.environ["REFORMWATCH_MEMORY_LIMIT"] = settings.memory_limit
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
