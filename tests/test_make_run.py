"""`make run` with another data directory (REFORMWATCH_DATA_DIR): what it keeps and looks
for lives there, where the Python settings put the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import build_dbt_docs  # noqa: E402


def make_in(data: Path, *make_args: str) -> str:
    """`make`'s output with REFORMWATCH_DATA_DIR=data."""
    done = subprocess.run(
        ["make", "--no-print-directory", *make_args],
        cwd=REPO,
        env=os.environ | {"REFORMWATCH_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def shown(data: Path, expression: str) -> str:
    """What `expression` (make syntax) is in the Makefile's recipes."""
    return make_in(data, "-s", "--eval", f"shown: ; @echo {expression}", "shown").strip()


def test_make_run_rebuilds_the_docs_page_of_the_data_directory_in_use_only_when_stale(tmp_path):
    """`make run` writes the docs page into REFORMWATCH_DATA_DIR: it must look for it there,
    or it rebuilds it (~70 s) on every run with nothing new."""
    data = tmp_path / "data"
    page = data / "reports" / build_dbt_docs.DOCS_FOLDER / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("built after the manifest", encoding="utf-8")
    assert shown(data, "$(DBT_DOCS)") == str(page)
    # the manifest taken as made (a fresh clone makes it first, then the page is stale)
    made = "--assume-old=dbt_project/target/manifest.json"
    assert "build_dbt_docs.py" not in make_in(data, "--dry-run", made, "run")
    os.utime(page, ns=(0, 0))  # older than the manifest
    assert "build_dbt_docs.py" in make_in(data, "--dry-run", "run")


def test_dagster_keeps_its_runs_in_the_data_directory_in_use(tmp_path):
    """Runs and the event log live beside the warehouse they describe: shared, a run in one
    directory compared its inputs with another's last build and rebuilt for nothing."""
    assert shown(tmp_path / "data", "$$REFORMWATCH_DAGSTER_STORAGE") == str(
        tmp_path / "data" / "dagster"
    )
