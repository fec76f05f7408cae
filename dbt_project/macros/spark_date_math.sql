{#
    dbt's dateadd and datediff on Spark, with DuckDB's meaning (dbt-duckdb: `x + n * interval
    1 unit`, and `date_diff(unit, a, b)`, which counts the unit's boundaries crossed).
    dbt-spark 1.11's own versions go through unix seconds and `to_timestamp`, which on Spark
    4 with zone-less timestamps (the session's default, orchestration/spark.py) returned
    null for every day of dim_date. Defined in this project, these win dbt's dispatch for
    Spark only; DuckDB's compiled SQL is unchanged.
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    cast(timestampadd({{ datepart }}, cast({{ interval }} as bigint), {{ from_date_or_timestamp }}) as timestamp)
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set unit = datepart | lower -%}
    {%- set seconds = {'second': 1, 'minute': 60, 'hour': 3600} -%}
    {%- if unit == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif unit in seconds -%}
        (
            floor(unix_timestamp(cast({{ second_date }} as timestamp)) / {{ seconds[unit] }})
            - floor(unix_timestamp(cast({{ first_date }} as timestamp)) / {{ seconds[unit] }})
        )
    {%- elif unit == 'month' -%}
        (
            (year({{ second_date }}) * 12 + month({{ second_date }}))
            - (year({{ first_date }}) * 12 + month({{ first_date }}))
        )
    {%- elif unit == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("spark__datediff: no DuckDB-equivalent for " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}
