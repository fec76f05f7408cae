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


{#
    The opposite hint: `not materialized` on DuckDB, nothing elsewhere. Usage:
    `name as {{ inline_cte() }} ( … )` on a CTE that later CTEs read more than once.

    Why: DuckDB 2.0 materialises such a CTE by itself, and that buffer does not give way
    under its memory limit: int_dossier_steps at 10× (14.6 M events) failed to pin memory
    with a limit of 0.9–1.5 GB, and passed at 700 MB and 2 GB; inlined, it builds at 1 GB
    (measured 2 December 2026). Inlining recomputes a cheap CTE instead of holding it.
#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'reformwatch')()) }}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}
