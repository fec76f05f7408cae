-- Every person at work on a roster is counted once in the capacity mart: the sum of
-- headcount in mart_unit_capacity_monthly equals the number of staged roster rows with
-- status active or on_leave at commune-level units. Returns a row when not (e.g. a
-- province delivering two snapshots in one month, or a snapshot outside the mart's units).

with

mart as (

    select
        coalesce(sum(headcount), 0) as headcount
    from {{ ref('mart_unit_capacity_monthly') }}

),

commune_units as (

    select
        unit_code
    from {{ ref('dim_admin_unit') }}
    where unit_level = 'commune'

),

rosters as (

    select
        count(*) as headcount
    from {{ ref('stg_personnel_rosters__staff') }} as staff
    inner join commune_units
        on staff.unit_code = commune_units.unit_code
    where staff.status in ('active', 'on_leave')

)

select
    mart.headcount as mart_headcount,
    rosters.headcount as roster_headcount
from mart
cross join rosters
where mart.headcount <> rosters.headcount
