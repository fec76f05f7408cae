{#
    Fractional days from one timestamp to another (86,400 seconds a day), through dbt's
    cross-database `dbt.datediff` at second precision. Null when either end is null.
#}
{% macro days_between(start_at, end_at) -%}
    (cast({{ dbt.datediff(start_at, end_at, 'second') }} as {{ type_double() }}) / 86400)
{%- endmacro %}
