{#
    First-of-group without a window: `first_by(value, order_key)` is the aggregate "the
    value on the row with the smallest order_key" (ties: any one of them, so make the key
    total). Rows whose key is null are skipped, so a row condition goes into the key:
    `case when … then key end`. `struct_of([(name, expression), …])` builds a value or a
    key of several fields; keys compare field by field, left to right.

    Why not `row_number() over (partition by … order by …) = 1` joined back: a window over
    millions of partitions keeps state DuckDB cannot spill (duckdb/duckdb#7808). Over the
    join of step starts with their later events (int_dossier_steps, 10×: 14.6 M events) the
    window failed to allocate memory under a 1 GB limit; the grouped aggregate spills.
#}
{% macro first_by(value, order_key) -%}
    {{ return(adapter.dispatch('first_by', 'reformwatch')(value, order_key)) }}
{%- endmacro %}

{% macro duckdb__first_by(value, order_key) -%}
    arg_min({{ value }}, {{ order_key }})
{%- endmacro %}

{% macro default__first_by(value, order_key) -%}
    min_by({{ value }}, {{ order_key }})
{%- endmacro %}

{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of', 'reformwatch')(fields)) }}
{%- endmacro %}

{% macro duckdb__struct_of(fields) -%}
    { {%- for name, expression in fields %}'{{ name }}': {{ expression }}{{ ', ' if not loop.last }}{% endfor -%} }
{%- endmacro %}

{% macro default__struct_of(fields) -%}
    named_struct({%- for name, expression in fields %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}
