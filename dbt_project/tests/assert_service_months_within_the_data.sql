-- No unit-month of the service mart lies after the month of the last lifecycle event: a
-- month past the data would become a period's end, where open dossiers are judged (and
-- find none). Complaints judged by a future due date once opened such a month.
with

cut_off as (

    select {{ month_start('max(event_at)') }} as last_month
    from {{ ref('stg_procedure_logs__events') }}

)

select
    service_months.unit_code,
    service_months.month_start,
    cut_off.last_month
from {{ ref('mart_unit_service_monthly') }} as service_months
cross join cut_off
where service_months.month_start > cut_off.last_month
