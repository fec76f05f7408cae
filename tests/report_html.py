"""Reading a rendered report page in the fast tests: its tables as cell text, its captions and
notes, and the attributes of its scripts, links and anchors."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser


class PageHtml(HTMLParser):
    """Tables (id -> rows of cell text), captions and notes, inline CSS, script/link/anchor
    attributes."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.scripts: list[dict] = []
        self.links: list[dict] = []
        self.anchors: list[str] = []
        self.captions: list[str] = []
        self.styles: list[str] = []
        self._table = self._cell = self._caption = None
        self._in_style = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "a":
            self.anchors.append(attrs.get("href", ""))
        elif tag == "style":
            self._in_style = True
        elif tag == "p" and attrs.get("class") in ("caption", "note"):
            self._caption = []
        elif tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._table[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "style":
            self._in_style = False
        elif tag == "p" and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)
        if self._in_style:
            self.styles.append(data)


def column_of(rows: list[list[str]], header_start: str) -> int:
    """Index of the first column whose header starts with header_start."""
    return next(i for i, h in enumerate(rows[0]) if h.startswith(header_start))


def row_of(rows: list[list[str]], first_cell: str) -> list[str]:
    """The body row whose first cell is first_cell."""
    return next(r for r in rows[1:] if r[0] == first_cell)


def figures_of(html: str) -> list[dict]:
    """Each plotly figure of a page as {"data": [...], "layout": {...}}, read from the JSON
    arguments of its Plotly.newPlot call."""
    decoder = json.JSONDecoder()
    figures = []
    for match in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', html):
        data, end = decoder.raw_decode(html, match.end())
        layout, _ = decoder.raw_decode(html, re.compile(r",\s*").match(html, end).end())
        figures.append({"data": data, "layout": layout})
    return figures
