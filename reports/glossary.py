"""The glossary: every mart and every column with its definition, generated from the dbt YAML
beside each model (the one place each indicator is defined), so a definition on the site never
differs from the warehouse's. Each chart's caption links to its entries (`glossary.html#<model>`
or `#<model>.<column>`, `shell.glossary_href`). A column shown on the pages under a bilingual
label is listed with that label (the pages' label maps); the definitions are the YAML's text.

Bilingual from the same entry: the English definition is the model's or column's
`description`, the Vietnamese one its `config: meta: vi:` beside it in the same YAML entry
(`vietnamese`), so each definition has one place in both languages. The models the pages read
and their columns shown under a label must carry the Vietnamese text
(tests/test_report_site.py); the other entries show the English text alone until written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import duckdb
import yaml

from orchestration.settings import REPO_ROOT
from reports import drilldown, service_index
from reports.shell import COLUMN_LABELS, Page, bilingual, esc

SLUG = "glossary"
TITLE_VI = "Thuật ngữ và định nghĩa"
TITLE_EN = "Glossary and definitions"
DESCRIPTION = (
    "Định nghĩa của mọi bảng và chỉ số, lấy từ mô tả dbt / Every table's and indicator's "
    "definition, from the dbt model descriptions."
)
SOURCES: tuple[str, ...] = ()  # reads the dbt YAML, not the warehouse
MODELS_DIR = REPO_ROOT.joinpath("dbt_project", "models", "marts")

# The bilingual labels the pages show a column under: one list, from the pages' own maps.
LABELS_VI: Mapping[str, str] = (
    COLUMN_LABELS | drilldown.LABELS | service_index.COMPONENT_LABELS | service_index.GROUP_LABELS
)


def models(models_dir: Path = MODELS_DIR) -> Iterator[dict]:
    """Every model described in the YAML files of models_dir, by name."""
    found = []
    for path in sorted(models_dir.glob("*.yml")):
        found += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", [])
    yield from sorted(found, key=lambda m: m["name"])


def _text(description: object) -> str:
    return " ".join(str(description or "").split())


def vietnamese(entry: Mapping) -> str:
    """The Vietnamese definition of a model or column entry: its `config: meta: vi:`."""
    meta = (entry.get("config") or {}).get("meta") or {}
    return _text(meta.get("vi"))


def definition_markup(entry: Mapping) -> str:
    """Vietnamese first when written, English alongside (muted), as the rest of the site."""
    english = _text(entry.get("description"))
    vi = vietnamese(entry)
    if not vi:
        return f'<span lang="en">{esc(english)}</span>'
    return bilingual(vi, english)


def model_markup(model: Mapping) -> str:
    name = model["name"]
    rows = "".join(
        f'<tr id="{esc(name)}.{esc(c["name"])}"><td class="nowrap"><code>{esc(c["name"])}</code>'
        f"</td><td>{esc(LABELS_VI.get(c['name'], ''))}</td><td>{definition_markup(c)}</td></tr>"
        for c in model.get("columns", [])
    )
    table = (
        '<div class="table-wrap"><table><thead><tr><th scope="col">Cột<span class="en"> Column'
        '</span></th><th scope="col">Nhãn trên trang<span class="en"> Label on the pages</span>'
        '</th><th scope="col">Định nghĩa<span class="en"> Definition</span></th></tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )
    return (
        f'<h2 id="{esc(name)}"><code>{esc(name)}</code></h2>'
        f'<p class="definition">{definition_markup(model)}</p>{table}'
    )


def build(con: duckdb.DuckDBPyConnection | None = None) -> Page:
    page = Page(
        SLUG,
        TITLE_VI,
        TITLE_EN,
        "Mỗi bảng (mart) của kho dữ liệu và mỗi cột, với định nghĩa viết trong dự án dbt — "
        "nơi duy nhất định nghĩa các chỉ số (tử số, mẫu số). Tiêu đề mỗi biểu đồ dẫn tới đây.",
        "Each warehouse mart and each column, with the definition written in the dbt project — "
        "the one place the indicators (numerator, denominator) are defined. Each chart's title "
        "links here.",
    )
    names = [m["name"] for m in models()]
    page.add_markup(
        f"<h2>{bilingual('Các bảng', 'Tables')}</h2><p>"
        + " · ".join(f'<a href="#{esc(n)}"><code>{esc(n)}</code></a>' for n in names)
        + "</p>"
    )
    for model in models():
        page.add_markup(model_markup(model))
    return page


def render(con: duckdb.DuckDBPyConnection, out_dir: Path | str) -> Path:
    return build(con).write(out_dir)
