-- The index's total is the sum of its six groups' points, and its points available the sum
-- of theirs: returns the areas and periods where either differs.
with

groups as (

    select
        scope,
        area_code,
        period,
        period_start,
        sum(coalesce(group_points, 0)) as group_points,
        sum(points_available) as points_available
    from {{ ref('mart_service_index_groups') }}
    group by
        scope,
        area_code,
        period,
        period_start

)

select
    service_index.scope,
    service_index.area_code,
    service_index.period,
    service_index.period_start,
    service_index.total_points,
    groups.group_points
from {{ ref('mart_service_index') }} as service_index
left join groups
    on service_index.scope = groups.scope
    and service_index.area_code = groups.area_code
    and service_index.period = groups.period
    and service_index.period_start = groups.period_start
where groups.scope is null
    or abs(coalesce(service_index.total_points, 0) - groups.group_points) > 1e-6
    or abs(service_index.points_available - groups.points_available) > 1e-6
