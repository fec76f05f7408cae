-- The reference figures the warehouse must reproduce (docs/indicators.md): 34 provinces
-- and 3,321 commune-level units — 2,621 communes, 687 wards, 13 special zones.
-- The expected figures are seed published_figures; returns a row per figure that differs.

with

units as (

    select
        unit_level,
        unit_type
    from {{ ref('dim_admin_unit') }}

),

actual as (

    select
        'province level' as figure,
        sum(case when unit_level = 'province' then 1 else 0 end) as actual_count
    from units

    union all

    select
        'commune level' as figure,
        sum(case when unit_level = 'commune' then 1 else 0 end) as actual_count
    from units

    union all

    select
        'commune' as figure,
        sum(case when unit_type = 'commune' then 1 else 0 end) as actual_count
    from units

    union all

    select
        'ward' as figure,
        sum(case when unit_type = 'ward' then 1 else 0 end) as actual_count
    from units

    union all

    select
        'special_zone' as figure,
        sum(case when unit_type = 'special_zone' then 1 else 0 end) as actual_count
    from units

)

{{ figures_that_differ('current_units', 'actual') }}
