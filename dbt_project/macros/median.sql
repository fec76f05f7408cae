{#
    The median of a numeric expression as an aggregate (exact, interpolated between the two
    middle values for an even count), as a double. Each engine spells it differently, so the
    spelling is dispatched: DuckDB `median`, Spark `percentile` (exact), and the SQL-standard
    ordered-set aggregate `percentile_cont(0.5) within group (order by …)` as the default
    (Postgres, Snowflake, Redshift …). Nulls are ignored; null when there are no values.
#}
{% macro median(expression) -%}
    cast({{ adapter.dispatch('median', 'reformwatch')(expression) }} as {{ type_double() }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile({{ expression }}, 0.5)
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
