{#
    ISO day of the week: 1 = Monday … 7 = Sunday. Each engine spells it differently, so the
    spelling is dispatched: DuckDB `isodow`, Spark `dayofweek` (1 = Sunday) shifted, and the
    SQL-standard-ish `extract(isodow …)` (Postgres and others) as the default.
#}
{% macro day_of_week_iso(date_expr) -%}
    cast({{ adapter.dispatch('day_of_week_iso', 'reformwatch')(date_expr) }} as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__day_of_week_iso(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}

{% macro spark__day_of_week_iso(date_expr) -%}
    (((dayofweek({{ date_expr }}) + 5) % 7) + 1)
{%- endmacro %}

{% macro default__day_of_week_iso(date_expr) -%}
    extract(isodow from {{ date_expr }})
{%- endmacro %}
