"""`make docs`: dbt's documentation as one page of the report site, opened from the folder
(no server), linked from the site's index, made without touching the warehouse or the
project's own dbt target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from report_html import PageHtml

from reports.shell import DBT_DOCS_HREF, write_index

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import build_dbt_docs  # noqa: E402


def test_the_site_index_links_where_make_docs_writes(tmp_path):
    index = write_index(tmp_path, [])
    assert DBT_DOCS_HREF in PageHtml(index.read_text(encoding="utf-8")).anchors
    assert (index.parent / DBT_DOCS_HREF).parent.name == build_dbt_docs.DOCS_FOLDER


@pytest.mark.slow
def test_make_docs_writes_one_offline_page_into_the_report_site(tmp_path):
    data = tmp_path / "data"
    manifest = REPO / "dbt_project" / "target" / "manifest.json"
    manifest_before = manifest.stat().st_mtime_ns if manifest.exists() else None
    done = subprocess.run(
        ["make", "--no-print-directory", "docs"],
        cwd=REPO,
        env=os.environ | {"REFORMWATCH_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    page = data / "reports" / build_dbt_docs.DOCS_FOLDER / "index.html"
    html = page.read_text(encoding="utf-8")
    # the static page carries the manifest in itself (a page opened from a folder may not
    # fetch one beside it): every model and its YAML description are in the file
    assert "model.reformwatch.mart_unit_service_monthly" in html
    assert "one row per unit: 34 provinces" in html  # dim_admin_unit's description
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"]
    assert not (data / "warehouse").exists()  # no empty warehouse made where the real one goes
    if manifest_before is not None:
        assert manifest.stat().st_mtime_ns == manifest_before
