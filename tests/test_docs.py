"""The project stands on its own: what a contributor reads is in the repository.

Nothing in the tree points outside it; every `docs/<file>.md` that code, YAML or docs cite
exists, and so does every lettered section of `docs/indicators.md` and every numbered source
of `docs/sources.md` they cite; relative Markdown links resolve; the committed data
dictionary is what `make docs-dictionary` writes from the dbt YAML today.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import build_data_dictionary  # noqa: E402

# Spelled with a character class so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./share[d]|/wor[k]/|shared/desig[n]")
DOC_FILE = re.compile(r"(?<![\w/.-])docs/([\w/-]+\.md)")
# "docs/indicators.md A", "indicators.md section D", "docs/indicators.md D, E, F", also when
# a line break (and a comment marker) falls between the file and the letter.
SECTION_REF = re.compile(
    r"indicators\.md[\s#-]*(?:sections?\s+)?"
    r"([A-Z](?![\w])(?:\s*(?:,|and|&)\s*[A-Z](?![\w]))*)"
)
SECTION_HEADING = re.compile(r"^#{2,3}\s+([A-Z])\.\s", re.MULTILINE)
SOURCE_REF = re.compile(r"sources\.md,?\s+source\s+(\d+)")
SOURCE_HEADING = re.compile(r"^#{2,4}\s+(\d+)\.\s", re.MULTILINE)
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TEXT_SUFFIXES = {
    "",
    ".md",
    ".py",
    ".sql",
    ".yml",
    ".yaml",
    ".toml",
    ".json",
    ".txt",
    ".csv",
    ".cfg",
    ".lock",
    ".ini",
    ".html",
    ".css",
    ".js",
    ".sh",
}


def outside_references(text: str) -> list[str]:
    return sorted({m.group(0) for m in OUTSIDE.finditer(text)})


def cited_doc_files(text: str) -> set[str]:
    return set(DOC_FILE.findall(text))


def cited_sections(text: str) -> set[str]:
    return {letter for m in SECTION_REF.finditer(text) for letter in re.findall(r"[A-Z]", m[1])}


def cited_sources(text: str) -> set[str]:
    return set(SOURCE_REF.findall(text))


def heading_anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a page's headings: lowercase, punctuation dropped, spaces to -."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def anchors_of(markdown: Path) -> set[str]:
    return heading_anchors(markdown.read_text(encoding="utf-8"))


def broken_links(markdown: Path) -> list[str]:
    """Relative links of a Markdown file to no file of the repo, or to no heading of it."""
    broken = []
    for target in MD_LINK.findall(markdown.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        if re.match(r"^[a-z]+:", path):
            continue
        resolved = (markdown.parent / path).resolve() if path else markdown
        missing_file = not resolved.is_relative_to(REPO) or not resolved.exists()
        if missing_file or (
            anchor and resolved.suffix == ".md" and anchor not in anchors_of(resolved)
        ):
            broken.append(target)
    return broken


def repository_files() -> list[Path]:
    """Tracked files plus new ones git does not ignore (so uncommitted work is checked too)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    return [REPO / name for name in listed if (REPO / name).is_file()]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {
        str(path.relative_to(REPO)): path.read_text(encoding="utf-8", errors="replace")
        for path in repository_files()
        if path.suffix in TEXT_SUFFIXES or path.name in {"Makefile", "run"}
    }


# --- the checks themselves --------------------------------------------------------------


def test_outside_references_are_found():
    assert outside_references("see ../" + "shared/x and /wo" + "rk/main/y") == [
        "../" + "shared",
        "/wo" + "rk/",
    ]
    assert outside_references("(shared/" + "design/sources.md)") == ["shared/" + "design"]
    assert outside_references("dagster-shared==1.13, docs/sources.md, shared_yaxes") == []


def test_cited_sections_across_line_breaks_and_lists():
    text = """docs/indicators.md A; (docs/indicators.md section B), indicators.md D, E, F
    -- (docs/indicators.md
    --   G; Decree 178) and docs/indicators.md). A sentence, indicators.md And more"""
    assert cited_sections(text) == {"A", "B", "D", "E", "F", "G"}


def test_heading_anchors_follow_github():
    page = "## A. Service delivery: the index (Decision 766)\n### `raw.events`\n"
    assert heading_anchors(page) == {"a-service-delivery-the-index-decision-766", "rawevents"}


def test_cited_doc_files_and_sources():
    text = "docs/sources.md, source 2; see `docs/style.md` and dbt_project/docs/x.md"
    assert cited_doc_files(text) == {"sources.md", "style.md"}
    assert cited_sources(text) == {"2"}


# --- the repository ---------------------------------------------------------------------


def test_nothing_points_outside_the_repository(texts):
    found = {name: refs for name, text in texts.items() if (refs := outside_references(text))}
    assert found == {}, f"paths outside the repository: {found}"


def test_every_cited_doc_exists(texts):
    cited = {(name, doc) for name, text in texts.items() for doc in cited_doc_files(text)}
    missing = sorted((name, doc) for name, doc in cited if not (REPO / "docs" / doc).is_file())
    assert missing == [], f"(citing file, missing docs/ file): {missing}"


def test_every_cited_indicator_section_exists(texts):
    headings = set(SECTION_HEADING.findall((REPO / "docs" / "indicators.md").read_text("utf-8")))
    cited = {(name, s) for name, text in texts.items() for s in cited_sections(text)}
    missing = sorted((name, s) for name, s in cited if s not in headings)
    assert missing == [], f"(citing file, section missing from docs/indicators.md): {missing}"


def test_every_cited_source_number_exists(texts):
    headings = set(SOURCE_HEADING.findall((REPO / "docs" / "sources.md").read_text("utf-8")))
    cited = {(name, n) for name, text in texts.items() for n in cited_sources(text)}
    missing = sorted((name, n) for name, n in cited if n not in headings)
    assert missing == [], f"(citing file, source missing from docs/sources.md): {missing}"


def test_relative_markdown_links_resolve():
    markdown = [p for p in repository_files() if p.suffix == ".md"]
    broken = {str(p.relative_to(REPO)): links for p in markdown if (links := broken_links(p))}
    assert broken == {}, f"links to nothing in the repository: {broken}"


def test_data_dictionary_is_current():
    committed = (REPO / build_data_dictionary.OUTPUT).read_text(encoding="utf-8")
    assert committed == build_data_dictionary.render(REPO), (
        "docs/data_dictionary.md is stale: run `make docs-dictionary` and commit the result"
    )


# --- docs/sources.md against the landing contract ----------------------------------------

TYPE_WORDS = {
    "varchar": "text",
    "timestamp": "timestamp",
    "date": "date",
    "integer": "integer",
    "amount": "amount",
    "decimal": "decimal",
    "boolean": "flag",
}
TABLE_ROW = re.compile(r"^\| `(\w+)` \|([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|$", re.MULTILINE)


def documented_fields(markdown: str) -> dict[str, list[tuple[str, ...]]]:
    """Field tables of sources.md, per source folder: (column, type, required, rule, stored)."""
    sections = re.split(r"^### \d+\. .*$", markdown, flags=re.MULTILINE)[1:]
    fields = {}
    for section in sections:
        folder = re.search(r"Folder `(\w+)/`", section)
        if folder:
            fields[folder[1]] = [
                tuple(part.strip() for part in row) for row in TABLE_ROW.findall(section)
            ]
    return fields


def contract_mismatches(contract, rows: list[tuple[str, ...]]) -> list[str]:
    """What sources.md says about a source's columns that the contract does not."""
    if [r[0] for r in rows] != [c.name for c in contract.columns]:
        return [f"columns {[r[0] for r in rows]} != {[c.name for c in contract.columns]}"]
    problems = []
    for column, (name, kind, required, rule, stored) in zip(contract.columns, rows, strict=True):
        if kind != TYPE_WORDS[column.kind]:
            problems.append(f"{name}: type {kind!r}, contract {column.kind!r}")
        if (required == "yes") != column.required:
            problems.append(f"{name}: required {required!r}, contract {column.required}")
        for check in column.checks:
            expected = check.describe if check.reason_code == "not_allowed" else check.reason_code
            if expected not in rule:
                problems.append(f"{name}: rule {rule!r} does not say {expected!r}")
        if column.personal and not (
            "personal" in rule and (column.stored_name or "dropped") in stored
        ):
            problems.append(f"{name}: personal data ({column.personal}) not documented")
    return problems


def test_sources_md_field_tables_match_the_contract():
    from orchestration.ingest.sources import SOURCES

    documented = documented_fields((REPO / "docs" / "sources.md").read_text("utf-8"))
    assert sorted(documented) == sorted(SOURCES)
    problems = {
        name: p for name, c in SOURCES.items() if (p := contract_mismatches(c, documented[name]))
    }
    assert problems == {}, f"docs/sources.md disagrees with the contract (sources.py): {problems}"


def test_a_changed_allowed_value_is_a_mismatch():
    from orchestration.ingest.sources import PROCEDURE_LOGS

    rows = documented_fields((REPO / "docs" / "sources.md").read_text("utf-8"))["procedure_logs"]
    edited = [(r[0], r[1], r[2], r[3].replace("online_full", "fully_online"), r[4]) for r in rows]
    assert any("channel" in p for p in contract_mismatches(PROCEDURE_LOGS, edited))


def test_every_make_target_the_docs_name_exists(texts):
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w.-]+):", makefile, flags=re.MULTILINE))
    named = {
        (name, t)
        for name, text in texts.items()
        if name.endswith(".md")
        for t in re.findall(r"(?:^|`)make ([\w-]+)", text, flags=re.MULTILINE)
    }
    missing = sorted((name, t) for name, t in named if t not in targets)
    assert missing == [], f"(doc, make target that does not exist): {missing}"
