"""ReformWatch report pages: one shell (`reports.shell`), one module per page."""

from __future__ import annotations

from pathlib import Path

import duckdb

from reports import (
    before_after,
    capacity_resources,
    drilldown,
    glossary,
    operating_quality,
    province_map,
    public_assets,
    service_delivery,
    service_index,
    slow_stages,
)
from reports.shell import Page, write_index

# Every page module exposes SLUG, TITLE_VI, TITLE_EN, DESCRIPTION, build() and render().
PAGE_MODULES = (
    service_delivery,
    service_index,
    slow_stages,
    capacity_resources,
    public_assets,
    operating_quality,
    before_after,
    # the drill-down (nation → provinces → communes), the map and the glossary
    drilldown,
    province_map,
    glossary,
)

__all__ = ["PAGE_MODULES", "Page", "render_site", "write_index"]


def render_site(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> list[Path]:
    """Render every page and the index into out_dir; returns the written paths."""
    paths = [module.render(con, out_dir) for module in PAGE_MODULES]
    pages = [(m.SLUG, m.TITLE_VI, m.TITLE_EN, m.DESCRIPTION) for m in PAGE_MODULES]
    paths.append(write_index(out_dir, pages))
    return paths
