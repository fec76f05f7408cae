"""The dbt project's vars, read by Python: the reform date, the monitored period, thresholds.

They are defined once, under `vars:` in `dbt_project/dbt_project.yml`; the models read them
with `var()`, and the simulator and the reports read them here, so a change there reaches
every part.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.settings import DBT_PROJECT_DIR


@cache
def project_vars(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Any]:
    """Every var of the project, as written (plain values: the file holds no Jinja there)."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(config.get("vars") or {})


def var(name: str, project_dir: Path = DBT_PROJECT_DIR) -> Any:
    values = project_vars(project_dir)
    if name not in values:
        raise KeyError(f"dbt_project.yml defines no var {name!r}; it has {sorted(values)}")
    return values[name]


def date_var(name: str, project_dir: Path = DBT_PROJECT_DIR) -> date:
    """A var holding an ISO date (YAML may already have made it a date)."""
    value = var(name, project_dir)
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def reform_date() -> date:
    """The day the two-tier local government took effect."""
    return date_var("reform_date")


def calendar_start() -> date:
    """First day of the monitored period (dim_date's range)."""
    return date_var("calendar_start")


def calendar_end() -> date:
    """Last day of the monitored period."""
    return date_var("calendar_end")
