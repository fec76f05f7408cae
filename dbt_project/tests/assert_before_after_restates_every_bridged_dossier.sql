-- Restating on today's units neither loses nor invents dossiers: in each period the
-- restated received dossiers add up to those of the monthly mart's rows that reach today's
-- units (before the reform: codes the bridge knows; after it: today's units). Returns the
-- period whose totals differ.

{%- set reform = "cast('" ~ var('reform_date') ~ "' as date)" %}

with

unit_months as (

    select
        unit_code,
        dossiers_received,
        case when month_start < {{ reform }} then 'before' else 'after' end as period
    from {{ ref('mart_unit_service_monthly') }}
    where month_start >= {{ dbt.dateadd('month', -12, reform) }}
        and month_start < {{ dbt.dateadd('month', 12, reform) }}

),

reachable as (

    select
        unit_months.period,
        sum(unit_months.dossiers_received) as dossiers_received
    from unit_months
    where (
        unit_months.period = 'before'
        and unit_months.unit_code in (
            select old_unit_code from {{ ref('bridge_admin_unit_lineage') }}
        )
    )
    or (
        unit_months.period = 'after'
        and unit_months.unit_code in (select unit_code from {{ ref('dim_admin_unit') }})
    )
    group by unit_months.period

),

restated as (

    select
        period,
        sum(dossiers_received) as dossiers_received
    from {{ ref('mart_unit_service_before_after') }}
    group by period

)

select
    reachable.period,
    reachable.dossiers_received as reachable_received,
    restated.dossiers_received as restated_received
from reachable
left join restated
    on reachable.period = restated.period
where restated.dossiers_received is null
    or abs(restated.dossiers_received - reachable.dossiers_received) > 1e-6
