"""SQL pieces the report pages share, and the one way a page reads a query into a frame.

Pages aggregate in DuckDB and only format in Python: each query returns the rows a figure or
table shows, rates pooled as sum(numerator) / sum(denominator).
"""

from __future__ import annotations

import duckdb
import pandas as pd

# CTE `province_names`: the province of a province_code, to join `as p using (province_code)`
# and show `coalesce(p.province_name, <alias>.province_code)` where the dimension has no name.
PROVINCE_NAMES = """
province_names as (
    select distinct province_code, province_name
    from marts.dim_admin_unit
    where unit_level = 'province'
)"""


def latest_per_province(relation: str, name: str, order_by: str = "month_start desc") -> str:
    """CTE `name`: every row of each province's latest snapshot in relation (by order_by), so
    a province that reported late is not mixed with an older month."""
    return f"""
{name} as (
    select *
    from {relation}
    qualify rank() over (partition by province_code order by {order_by}) = 1
)"""


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()
