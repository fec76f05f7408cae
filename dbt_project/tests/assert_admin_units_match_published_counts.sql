-- The reference figures the warehouse must reproduce (docs/indicators.md): 34 provinces
-- and 3,321 commune-level units — 2,621 communes, 687 wards, 13 special zones.
-- The expected figures are seed published_figures; returns a row per figure that differs.

{#- figure (as published_figures names it), the column that tells it, its value -#}
{%- set figures = [
    ('province level', 'unit_level', 'province'),
    ('commune level', 'unit_level', 'commune'),
    ('commune', 'unit_type', 'commune'),
    ('ward', 'unit_type', 'ward'),
    ('special_zone', 'unit_type', 'special_zone'),
] %}

with

units as (

    select
        unit_level,
        unit_type
    from {{ ref('dim_admin_unit') }}

),

actual as (

    {%- for figure, column, value in figures %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            '{{ figure }}' as figure,
            sum(case when {{ column }} = '{{ value }}' then 1 else 0 end) as actual_count
        from units
    {%- endfor %}

)

{{ figures_that_differ('current_units', 'actual') }}
