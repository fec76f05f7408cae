"""`python -m reports`: render the site from the warehouse (read-only) into data/reports/."""

from __future__ import annotations

import duckdb

from orchestration.settings import load_settings
from reports import render_site


def main() -> None:
    settings = load_settings()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for path in render_site(con, settings.reports_dir):
            print(path)


if __name__ == "__main__":
    main()
