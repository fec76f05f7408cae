"""Row-for-row comparison of one table as two engines built it (tests/test_spark_equality.py):
both frames brought to common value types, sorted by every column, then compared with a
floating-point tolerance. Types themselves are not compared (DuckDB's `decimal(18,3)` and
Spark's `decimal(20,3)` hold the same value; a date and a midnight timestamp too)."""

from __future__ import annotations

import datetime as dt
import decimal

import numpy as np
import pandas as pd

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-9
# Floats are rounded to this many decimals for sorting only, so two rows whose figures differ
# in the last bits still sort to the same place.
SORT_DECIMALS = 6


def present(column: pd.Series) -> list:
    return [value for value in column if not pd.isna(value)]


def is_float_like(column: pd.Series) -> bool:
    """Floats, or decimals held as Python objects (a column of nulls is neither)."""
    if pd.api.types.is_float_dtype(column):
        return True
    values = present(column)
    return bool(values) and all(isinstance(v, decimal.Decimal | float) for v in values)


def is_date_like(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    values = present(column)
    return bool(values) and all(isinstance(v, dt.date | pd.Timestamp) for v in values)


def normalised_column(column: pd.Series, as_float: bool, as_datetime: bool) -> pd.Series:
    if as_float:
        return pd.to_numeric(column.map(lambda v: None if pd.isna(v) else float(v)), "coerce")
    if as_datetime:
        values = pd.to_datetime(column, utc=False)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_convert("UTC").dt.tz_localize(None)
        return values.astype("datetime64[us]")
    return column.astype("object").where(column.notna(), None)


def normalised(left: pd.DataFrame, right: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both frames with the same value type per column: a float when either side holds a
    float or a decimal, a zone-less timestamp when either holds a date or a timestamp."""
    out_left, out_right = {}, {}
    for name in left.columns:
        as_float = is_float_like(left[name]) or is_float_like(right[name])
        as_datetime = not as_float and (is_date_like(left[name]) or is_date_like(right[name]))
        out_left[name] = normalised_column(left[name], as_float, as_datetime)
        out_right[name] = normalised_column(right[name], as_float, as_datetime)
    return pd.DataFrame(out_left), pd.DataFrame(out_right)


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    keys = pd.DataFrame(
        {
            name: (
                frame[name].round(SORT_DECIMALS)
                if pd.api.types.is_float_dtype(frame[name])
                else frame[name].map(lambda v: "" if pd.isna(v) else repr(v))
            )
            for name in frame.columns
        }
    )
    order = keys.sort_values(list(keys.columns), na_position="first", kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def differences(left: pd.DataFrame, right: pd.DataFrame) -> list[str]:
    """What differs between two builds of one table: columns, row counts, then the first
    differing values per column; empty when they are equal within the tolerance."""
    if list(left.columns) != list(right.columns):
        return [f"columns differ: {list(left.columns)} vs {list(right.columns)}"]
    if len(left) != len(right):
        return [f"{len(left)} rows vs {len(right)}"]
    left, right = normalised(left, right)
    left, right = sorted_rows(left), sorted_rows(right)
    found = []
    for name in left.columns:
        a, b = left[name], right[name]
        if pd.api.types.is_float_dtype(a):
            same = np.isclose(a, b, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE)
            same |= a.isna() & b.isna()
        else:
            same = (a == b) | (a.isna() & b.isna())
        if not same.all():
            row = int(np.flatnonzero(~np.asarray(same))[0])
            found.append(
                f"{name}: {int((~same).sum())} rows differ, first at sorted row {row}: "
                f"{a.iloc[row]!r} vs {b.iloc[row]!r}"
            )
    return found
