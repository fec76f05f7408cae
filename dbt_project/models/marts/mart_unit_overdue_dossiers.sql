{#
    The overdue dossiers of each unit, the last step of the reports' drill-down (a commune's
    score → its groups → its ratios → these dossiers): one row per dossier that finished
    overdue (fct_dossiers.timeliness = 'overdue') or was open past due at the data cut-off
    (int_dossier_month_ends_judged, its latest month: the month end judged at the cut-off).
    Working days past due: from the promised time to the finish or the judgement, in the
    working time of macro working_days_between over int_working_calendar, rounded up, at least 1 (as
    mart_backlog_ageing). rank_in_unit orders a unit's dossiers of one status, longest past
    due first, so a page lists the worst without ranking them itself.
#}

with

latest as (

    select max(month_start) as month_start
    from {{ ref('int_dossier_month_ends_judged') }}

),

open_past_due as (

    select
        judged.dossier_code,
        'open_past_due' as overdue_status,
        judged.promised_at,
        judged.judged_at as overdue_at
    from {{ ref('int_dossier_month_ends_judged') }} as judged
    inner join latest
        on judged.month_start = latest.month_start
    where judged.is_past_due

),

finished_overdue as (

    select
        dossier_code,
        'finished_overdue' as overdue_status,
        promised_at,
        finished_at as overdue_at
    from {{ ref('fct_dossiers') }}
    where timeliness = 'overdue'

),

overdue as (

    select * from open_past_due
    union all
    select * from finished_overdue

),

calendar as (

    select * from {{ ref('int_working_calendar') }}

),

aged as (

    select
        overdue.dossier_code,
        overdue.overdue_status,
        overdue.overdue_at,
        {{ working_days_past_due(
            'overdue.promised_at', 'overdue.overdue_at', 'promised_day', 'overdue_day'
        ) }} as working_days_past_due
    from overdue
    left join calendar as promised_day
        on cast(overdue.promised_at as date) = promised_day.date_day
    left join calendar as overdue_day
        on cast(overdue.overdue_at as date) = overdue_day.date_day

),

final as (

    select
        dossiers.dossier_code,
        dossiers.unit_code,
        dossiers.province_code,
        dossiers.procedure_code,
        aged.overdue_status,
        dossiers.channel,
        dossiers.received_at,
        dossiers.promised_at,
        dossiers.finished_at,
        aged.overdue_at,
        aged.working_days_past_due,
        dossiers.supplement_requests,
        row_number() over (
            partition by dossiers.unit_code, aged.overdue_status
            order by aged.working_days_past_due desc, dossiers.dossier_code asc
        ) as rank_in_unit
    from aged
    inner join {{ ref('fct_dossiers') }} as dossiers
        on aged.dossier_code = dossiers.dossier_code

)

select * from final
