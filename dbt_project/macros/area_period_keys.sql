{#
    The key of every service roll-up row: an area (scope, area_code and its unit and province)
    in a period (documented in _macros.yml). One list, so the roll-up and index marts select
    and group by the same columns.
#}
{% macro area_period_keys() -%}
    scope, area_code, unit_code, province_code, period, period_start, period_end_month
{%- endmacro %}
