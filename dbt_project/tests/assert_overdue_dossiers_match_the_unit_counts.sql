-- mart_unit_overdue_dossiers lists exactly the dossiers the unit counts hold: per unit, its
-- finished_overdue rows = the months' finished_overdue (mart_unit_service_monthly), its
-- open_past_due rows = the past-due backlog of the latest month (mart_backlog_ageing).
-- Returns a row per unit where a list and its count differ.

with

listed as (

    select
        unit_code,
        sum(case when overdue_status = 'finished_overdue' then 1 else 0 end) as finished_listed,
        sum(case when overdue_status = 'open_past_due' then 1 else 0 end) as open_listed
    from {{ ref('mart_unit_overdue_dossiers') }}
    group by unit_code

),

finished as (

    select
        unit_code,
        sum(finished_overdue) as finished_counted
    from {{ ref('mart_unit_service_monthly') }}
    group by unit_code

),

backlog as (

    select
        area_code as unit_code,
        past_due_dossiers as open_counted
    from {{ ref('mart_backlog_ageing') }}
    where scope = 'unit' and is_latest_month

),

units as (

    select unit_code from listed
    union
    select unit_code from finished
    union
    select unit_code from backlog

)

select
    units.unit_code,
    coalesce(listed.finished_listed, 0) as finished_listed,
    coalesce(finished.finished_counted, 0) as finished_counted,
    coalesce(listed.open_listed, 0) as open_listed,
    coalesce(backlog.open_counted, 0) as open_counted
from units
left join listed on units.unit_code = listed.unit_code
left join finished on units.unit_code = finished.unit_code
left join backlog on units.unit_code = backlog.unit_code
where
    coalesce(listed.finished_listed, 0) <> coalesce(finished.finished_counted, 0)
    or coalesce(listed.open_listed, 0) <> coalesce(backlog.open_counted, 0)
