"""What dbt puts in a model's Jinja context, for sqlfluff's jinja templater (lint only).

sqlfluff renders the models itself, without dbt (its dbt templater cannot be installed beside
the pinned click, and it would compile the whole project for every lint). This library gives
the names the models and `macros/` use: `var` reads `dbt_project.yml`, `adapter.dispatch`
calls the project's own `duckdb__` / `default__` macro, and `dbt.*` renders dbt-duckdb's
spelling of each cross-database macro. dbt compiles the real models; nothing here runs there.
"""

from __future__ import annotations

import datetime as _datetime
from pathlib import Path
from types import SimpleNamespace

import jinja2
import yaml

_PROJECT_VARS = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text(encoding="utf-8")
)["vars"]


def var(name: str, default=None):
    return _PROJECT_VARS.get(name, default)


class _MacroReturn(Exception):
    """dbt's `return()` ends a macro with a value (macros/incremental.sql returns lists,
    dicts and booleans, not only text): raised here, caught by the macro call below."""

    def __init__(self, value):
        super().__init__()
        self.value = value


def _return(value):
    raise _MacroReturn(value)


globals()["return"] = _return

_render_macro = jinja2.runtime.Macro.__call__


def _call_macro(self, *args, **kwargs):
    """A macro call: its `return()` value when it returns one, else its text (as dbt)."""
    try:
        return _render_macro(self, *args, **kwargs)
    except _MacroReturn as returned:
        return returned.value


jinja2.runtime.Macro.__call__ = _call_macro


@jinja2.pass_context
def _dispatch(context, macro_name: str, macro_namespace: str | None = None):
    """The project's DuckDB implementation of a dispatched macro, as dbt would pick it."""
    for candidate in (f"duckdb__{macro_name}", f"default__{macro_name}"):
        if candidate in context:
            return context[candidate]
    raise jinja2.UndefinedError(f"no duckdb__ or default__ implementation of {macro_name}")


def _raise_compiler_error(message: str):
    raise jinja2.TemplateRuntimeError(message)


def _concat(fields) -> str:
    return " || ".join(fields)


def _generate_series(upper_bound) -> str:
    return f"select unnest(range(1, {upper_bound} + 1)) as generated_number"


adapter = SimpleNamespace(dispatch=_dispatch, get_relation=lambda **relation: None)
# rendered as at parse time: no database to look relations up in
execute = False
exceptions = SimpleNamespace(raise_compiler_error=_raise_compiler_error)
modules = SimpleNamespace(datetime=_datetime)
target = SimpleNamespace(name="dev", database="reformwatch", schema="main", type="duckdb")
dbt = SimpleNamespace(
    type_bigint=lambda: "bigint",
    type_int=lambda: "integer",
    type_string=lambda: "varchar",
    type_timestamp=lambda: "timestamp",
    type_boolean=lambda: "boolean",
    type_float=lambda: "float",
    date_trunc=lambda datepart, date: f"date_trunc('{datepart}', {date})",
    datediff=lambda first, second, datepart: f"date_diff('{datepart}', {first}, {second})",
    dateadd=lambda datepart, interval, date: f"date_add({date}, interval ({interval}) {datepart})",
    last_day=lambda date, datepart: f"last_day({date})",
    concat=_concat,
    right=lambda string, length: f"right({string}, {length})",
    hash=lambda field: f"md5(cast({field} as varchar))",
    bool_or=lambda expression: f"bool_or({expression})",
    generate_series=_generate_series,
)
