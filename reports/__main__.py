"""`python -m reports`: render the site from the warehouse (read-only) into data/reports/."""

from __future__ import annotations

import argparse

import duckdb

from orchestration.settings import load_settings
from reports import render_site


def main(argv: list[str] | None = None) -> None:
    # no options: the warehouse and the output folder come from REFORMWATCH_DATA_DIR, as for
    # every command; a parser still answers --help instead of rendering the site
    argparse.ArgumentParser(prog="python -m reports", description=__doc__).parse_args(argv)
    settings = load_settings()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        for path in render_site(con, settings.reports_dir):
            print(path)


if __name__ == "__main__":
    main()
