{# The first day of the month of a date or timestamp, as a date. #}
{% macro month_start(date_or_timestamp) -%}
    cast({{ dbt.date_trunc('month', date_or_timestamp) }} as date)
{%- endmacro %}
