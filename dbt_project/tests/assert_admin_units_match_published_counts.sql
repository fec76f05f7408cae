-- The reference figures the warehouse must reproduce (docs/indicators.md): 34 provinces
-- and 3,321 commune-level units — 2,621 communes, 687 wards, 13 special zones.
-- Returns a row per figure that differs.

with

expected as (

    select 'province level' as figure, 34 as expected_count
    union all
    select 'commune level' as figure, 3321 as expected_count
    union all
    select 'commune' as figure, 2621 as expected_count
    union all
    select 'ward' as figure, 687 as expected_count
    union all
    select 'special_zone' as figure, 13 as expected_count

),

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

select
    expected.figure,
    expected.expected_count,
    actual.actual_count
from expected
left join actual
    on expected.figure = actual.figure
where actual.actual_count is null
    or actual.actual_count <> expected.expected_count
