"""`make docs`: dbt's documentation site (every model, column, test and the lineage graph) as
one page in the report site, `<reports>/dbt_docs/index.html`, linked from the site's index.

dbt writes a `static_index.html` with the manifest and the catalogue inside it: the plain
`index.html` fetches them beside it, which a browser refuses for a page opened from a folder.
The catalogue (column types, row counts) is read from the warehouse when there is one; without
one the page still describes every model, and no warehouse file is created. dbt works in a
temporary target folder, so the project's own `dbt_project/target` (the manifest Dagster
loads) is left as it is.

    python scripts/build_dbt_docs.py    # honours REFORMWATCH_DATA_DIR, REFORMWATCH_WAREHOUSE
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orchestration.resources import WarehouseResource
from orchestration.settings import dbt_command

DOCS_FOLDER = "dbt_docs"  # under the reports folder; reports/shell.py links it


def dbt_docs_command(target: Path, dbt_vars: dict[str, str], empty_catalog: bool) -> list[str]:
    command = dbt_command(
        "docs",
        "generate",
        "--static",
        "--quiet",
        "--target-path",
        str(target),
        "--vars",
        json.dumps(dbt_vars),
    )
    return [*command, "--empty-catalog"] if empty_catalog else command


def build_dbt_docs(warehouse: WarehouseResource) -> Path:
    """Generate the docs and copy the one-file page into the report site; its path."""
    settings = warehouse.settings
    dbt_vars = warehouse.dbt_vars()
    with tempfile.TemporaryDirectory(prefix="reformwatch-dbt-docs-") as tmp:
        has_warehouse = settings.warehouse.exists()
        if not has_warehouse:  # dbt would create an empty warehouse where the real one goes
            dbt_vars["reformwatch_warehouse"] = str(Path(tmp) / "no-warehouse.duckdb")
            print(f"no warehouse at {settings.warehouse}: the docs carry no column types")
        target = Path(tmp) / "target"
        subprocess.run(dbt_docs_command(target, dbt_vars, not has_warehouse), check=True)
        page = settings.reports_dir / DOCS_FOLDER / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "static_index.html", page)
    return page


def main() -> int:
    page = build_dbt_docs(WarehouseResource.from_env())
    print(f"dbt docs: {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
