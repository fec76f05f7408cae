{#
    A double-precision float for rates and day counts. `dbt.type_float()` is `float`, which
    DuckDB and Spark both read as single precision (7 digits); `double` is right on both.
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'reformwatch')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
