{#
    The keyword that makes a CTE be computed once into a buffer before the rest of the
    query reads it: `materialized` on DuckDB, nothing elsewhere (Spark has no such hint).
    Usage: `name as {{ materialized_cte() }} ( … )`.

    Why: DuckDB 2.0's dictionary-keeping cache behind hash joins (duckdb PR 23447) fails an
    internal assertion ("dict-surviving cache: global dictionary column … changed identity")
    when a wide CTE built from several joins is probed against the working calendar in the
    same pipeline; buffering that CTE first avoids it. Remove when DuckDB fixes it.
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'reformwatch')()) }}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}
