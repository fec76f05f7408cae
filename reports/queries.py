"""SQL pieces the report pages share, and the one way a page reads a query into a frame.

Pages compute nothing: every figure is a column of a mart (rates, numerators and denominators
rolled up in dbt), and a page's query selects the rows and columns a figure or table shows.
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


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()
