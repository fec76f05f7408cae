"""Write `docs/data_dictionary.md` from the dbt YAML: every table, column, test and description.

The dbt YAML is where columns are defined (one place); this script only lays it out as one
page a reader can search. It reads the YAML files directly (no `dbt parse`, no warehouse), so
it runs in a second and the test that checks the committed page runs in the fast suite.

    python scripts/build_data_dictionary.py          # write the page
    python scripts/build_data_dictionary.py --check  # exit 1 when the page is stale
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from generated_page import check_or_write, check_requested

REPO = Path(__file__).resolve().parents[1]
OUTPUT = Path("docs/data_dictionary.md")
DBT_DIR = Path("dbt_project")
# The order a reader meets the layers in; any other schema follows, alphabetically.
SCHEMA_ORDER = ("raw", "reference", "staging", "intermediate", "marts", "audit")
SQL_MATERIALIZED = re.compile(r"materialized\s*=\s*['\"](\w+)['\"]")
# a model configured by macro `incremental_config` (dbt_project/macros/incremental.sql)
SQL_INCREMENTAL = re.compile(r"\bincremental_config\(")
INCREMENTAL_KIND = "incremental (a table; rebuilds the changed months)"
REF = re.compile(r"ref\(\s*['\"](\w+)['\"]\s*\)")


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    kind: str  # source table, seed, or the materialisation of a model
    description: str
    columns: tuple[dict, ...]
    tests: tuple[str, ...]
    unit_tests: tuple[str, ...]
    defined_in: str


def render(repo: Path = REPO) -> str:
    """The whole page, deterministic for a given tree."""
    project = yaml.safe_load((repo / DBT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    tables, undocumented = collect(repo, project)
    return page(tables, undocumented, singular_tests(repo, project), project.get("vars", {}))


def collect(repo: Path, project: dict) -> tuple[list[Table], list[str]]:
    layers = project["models"][project["name"]]
    seed_schema = project.get("seeds", {}).get(project["name"], {}).get("+schema", "main")
    tables: list[Table] = []
    unit_tests: dict[str, list[str]] = {}
    documented: set[str] = set()
    for path in yaml_files(repo, project):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        where = str(path.relative_to(repo))
        for test in spec.get("unit_tests", []):
            unit_tests.setdefault(test["model"], []).append(test["name"])
        for source in spec.get("sources", []):
            for table in source.get("tables", []):
                tables.append(
                    table_of(table, source.get("schema", source["name"]), "source table", where)
                )
        for seed in spec.get("seeds", []):
            tables.append(table_of(seed, seed_schema, "seed", where))
        for model in spec.get("models", []):
            documented.add(model["name"])
            schema, materialized = model_placement(repo, path, model, layers)
            tables.append(table_of(model, schema, materialized, where))
    tables = [
        Table(**{**t.__dict__, "unit_tests": tuple(unit_tests.get(t.name, ()))}) for t in tables
    ]
    undocumented = sorted(
        str(sql.relative_to(repo))
        for sql in (repo / DBT_DIR / "models").rglob("*.sql")
        if sql.stem not in documented
    )
    return sorted(tables, key=table_order), undocumented


def singular_tests(repo: Path, project: dict) -> list[tuple[str, str]]:
    """Tests across tables (`tests/*.sql`) with what their leading comment says they check."""
    found = []
    for root in project.get("test-paths", ["tests"]):
        for sql in sorted((repo / DBT_DIR / root).glob("*.sql")):
            comment = []
            for line in sql.read_text(encoding="utf-8").splitlines():
                if not line.startswith("--"):
                    break
                comment.append(line.removeprefix("--"))
            found.append((sql.stem, one_line(" ".join(comment))))
    return found


def yaml_files(repo: Path, project: dict) -> list[Path]:
    roots = [repo / DBT_DIR / p for p in project.get("model-paths", ["models"])]
    roots += [repo / DBT_DIR / p for p in project.get("seed-paths", ["seeds"])]
    return sorted(p for root in roots for p in root.rglob("*.yml"))


def model_placement(repo: Path, yaml_path: Path, model: dict, layers: dict) -> tuple[str, str]:
    """Schema and materialisation as dbt resolves them: folder config, then YAML, then SQL."""
    folder = yaml_path.relative_to(repo / DBT_DIR / "models").parts[0]
    layer = layers.get(folder, {})
    config = model.get("config", {})
    schema = config.get("schema", layer.get("+schema", "main"))
    materialized = config.get("materialized", layer.get("+materialized", "view"))
    sql = yaml_path.parent / f"{model['name']}.sql"
    text = sql.read_text(encoding="utf-8") if sql.exists() else ""
    if found := SQL_MATERIALIZED.search(text):
        materialized = found.group(1)
    if SQL_INCREMENTAL.search(text):
        materialized = INCREMENTAL_KIND
    return schema, materialized


def table_of(spec: dict, schema: str, kind: str, where: str) -> Table:
    return Table(
        schema=schema,
        name=spec["name"],
        kind=kind,
        description=one_line(spec.get("description", "")),
        columns=tuple(spec.get("columns", [])),
        tests=tuple(describe_test(t) for t in spec.get("data_tests", spec.get("tests", []))),
        unit_tests=(),
        defined_in=where,
    )


def table_order(table: Table) -> tuple:
    rank = SCHEMA_ORDER.index(table.schema) if table.schema in SCHEMA_ORDER else len(SCHEMA_ORDER)
    return (rank, table.schema, table.name)


def describe_test(test: str | dict) -> str:
    """A data test in a few words: its name and what it is about."""
    if isinstance(test, str):
        return test
    ((name, spec),) = test.items()
    spec = spec or {}
    arguments = spec.get("arguments", spec)
    short = name.split(".")[-1]
    if short == "accepted_values":
        detail = ", ".join(str(v) for v in arguments.get("values", []))
    elif short == "relationships":
        found = REF.search(str(arguments.get("to", "")))
        detail = f"{found.group(1) if found else arguments.get('to')}.{arguments.get('field')}"
    elif "columns" in arguments:
        detail = ", ".join(arguments["columns"])
    else:
        detail = spec.get("name") or one_line(str(arguments.get("expression", "")))
    severity = spec.get("config", {}).get("severity")
    text = f"{short} ({detail})" if detail else short
    return f"{text}, severity {severity}" if severity else text


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def cell(text: str) -> str:
    return one_line(text).replace("|", "\\|") or "—"


def page(
    tables: list[Table], undocumented: list[str], singular: list[tuple[str, str]], variables: dict
) -> str:
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated by scripts/build_data_dictionary.py from the dbt YAML. Do not edit:",
        "     change the YAML next to the model, then run `make docs-dictionary`. -->",
        "",
        "Every table the warehouse holds, with its columns and the dbt tests on them, as the",
        "dbt YAML defines them (`dbt_project/models/**/_*.yml`, `seeds/_seeds.yml`). Column",
        "definitions live in that YAML, next to each model; this page is generated from it",
        "(`make docs-dictionary`), and a test fails when it is stale. What the indicators",
        "mean, and why: [indicators.md](indicators.md); the landing files:",
        "[sources.md](sources.md).",
        "",
        "Project variables (`dbt_project/dbt_project.yml`, `vars`): "
        + ", ".join(f"`{k}` = `{v}`" for k, v in variables.items())
        + ".",
        "",
        "## Contents",
        "",
    ]
    schemas: dict[str, list[Table]] = {}
    for table in tables:
        schemas.setdefault(table.schema, []).append(table)
    for schema, members in schemas.items():
        lines.append(f"- `{schema}`: " + ", ".join(f"`{t.name}`" for t in members))
    for schema, members in schemas.items():
        lines += ["", f"## Schema `{schema}`"]
        for table in members:
            lines += table_section(table)
    if singular:
        lines += [
            "",
            "## Tests across tables",
            "",
            "Singular dbt tests (`dbt_project/tests/`): each returns the rows that break it.",
            "",
        ]
        lines += [f"- `{name}`: {text or '(no description)'}" for name, text in singular]
    if undocumented:
        lines += [
            "",
            "## Models without YAML",
            "",
            "These SQL files have no entry in any YAML file, so no documented columns:",
            "",
        ]
        lines += [f"- `{path}`" for path in undocumented]
    return "\n".join(lines) + "\n"


def table_section(table: Table) -> list[str]:
    lines = [
        "",
        f"### `{table.schema}.{table.name}`",
        "",
        f"*{table.kind}* · defined in `{table.defined_in}`",
        "",
    ]
    if table.description:
        lines += [table.description, ""]
    if table.tests:
        lines += ["Table tests: " + "; ".join(f"`{t}`" for t in table.tests) + ".", ""]
    if table.unit_tests:
        lines += ["Unit tests: " + ", ".join(f"`{t}`" for t in table.unit_tests) + ".", ""]
    if not table.columns:
        return lines + ["No columns documented."]
    lines += ["| column | description | tests |", "|---|---|---|"]
    for column in table.columns:
        tests = column.get("data_tests", column.get("tests", [])) or []
        lines.append(
            f"| `{column['name']}` | {cell(column.get('description', ''))} | "
            + cell("; ".join(describe_test(t) for t in tests))
            + " |"
        )
    return lines


def main() -> int:
    check = check_requested(None, __doc__)
    text = render(REPO)
    stale = f"{OUTPUT} is stale: run `make docs-dictionary`"
    wrote = f"wrote {OUTPUT} ({len(text.splitlines())} lines)"
    return check_or_write(REPO / OUTPUT, text, check=check, stale=stale, wrote=wrote)


if __name__ == "__main__":
    sys.exit(main())
