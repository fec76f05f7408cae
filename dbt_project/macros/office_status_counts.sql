{#
    The office counts mart_province_assets and mart_unit_assets share (docs/indicators.md F):
    "offices" are assets of type office_building or land (fct_assets.is_office); a surplus
    office is one in a surplus status, and surplus_offices = waiting + repurposing +
    repurposed + disposed.
      is_surplus_office(rows)  the flag, on the rows of relation alias `rows`;
      office_status_counts()   the six sums, over rows carrying is_office, is_surplus_office
                               and status;
      office_status_casts()    those six as bigint, by name.
#}

{% macro is_surplus_office(rows) %}
    {{ rows }}.is_office
    and {{ rows }}.status in ('surplus', 'repurposing', 'repurposed', 'disposed')
{% endmacro %}

{% macro office_status_counts() %}
    sum(case when is_office then 1 else 0 end) as offices_total,
    sum(case when is_surplus_office then 1 else 0 end) as surplus_offices,
    sum(case when is_office and status = 'surplus' then 1 else 0 end) as waiting,
    sum(case when is_office and status = 'repurposing' then 1 else 0 end) as repurposing,
    sum(case when is_office and status = 'repurposed' then 1 else 0 end) as repurposed,
    sum(case when is_office and status = 'disposed' then 1 else 0 end) as disposed
{% endmacro %}

{% macro office_status_casts() %}
    {%- for column in [
        'offices_total', 'surplus_offices', 'waiting', 'repurposing', 'repurposed', 'disposed'
    ] %}
        cast({{ column }} as {{ dbt.type_bigint() }}) as {{ column }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{% endmacro %}
