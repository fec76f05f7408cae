{#
    One row per received dossier (fact) × month end at which it was still open, judged as
    the portal does at a period's end (docs/indicators.md section A): within due or past
    due, with the supplement waits up to that moment not counted and more than one
    supplement request meaning past due (macro `timeliness`).

    A month is judged at its last second (23:59:59 of the last day); the month holding the
    data cut-off (the latest event in the warehouse) is judged at the cut-off instead, since
    its end has not happened yet. Months come from dim_date (the calendar's range bounds them).
#}

with

dossiers as (

    select
        dossier_code,
        unit_code,
        province_code,
        received_at,
        promised_at,
        finished_at
    from {{ ref('int_dossiers_timed') }}
    where reject_reason is null
        and received_at is not null

),

cut_off as (

    select
        max(last_event_at) as data_cut_off_at
    from {{ ref('int_dossiers_timed') }}

),

months as (

    select distinct
        month_start
    from {{ ref('dim_date') }}

),

supplement_waits as (

    select
        dossier_code,
        requested_at,
        wait_ended_at
    from {{ ref('int_supplement_waits_paired') }}

),

dossier_months as (

    select
        dossiers.dossier_code,
        dossiers.unit_code,
        dossiers.province_code,
        dossiers.received_at,
        dossiers.promised_at,
        dossiers.finished_at,
        months.month_start,
        case
            when months.month_start = {{ month_start('cut_off.data_cut_off_at') }}
                then cut_off.data_cut_off_at
            else {{ dbt.dateadd(
                'second',
                '-1',
                dbt.dateadd('month', '1', 'cast(months.month_start as ' ~ dbt.type_timestamp() ~ ')')
            ) }}
        end as judged_at
    from dossiers
    cross join cut_off
    inner join months
        on months.month_start >= {{ month_start('dossiers.received_at') }}
        and months.month_start <= {{ month_start('coalesce(dossiers.finished_at, cut_off.data_cut_off_at)') }}

),

open_at_month_end as (

    select * from dossier_months
    where received_at <= judged_at
        and (finished_at is null or finished_at > judged_at)

),

waits_to_month_end as (

    select
        open_at_month_end.dossier_code,
        open_at_month_end.month_start,
        count(supplement_waits.requested_at) as supplement_requests,
        cast(
            sum(
                case
                    when supplement_waits.requested_at is null then 0
                    when supplement_waits.wait_ended_at is null
                        or supplement_waits.wait_ended_at > open_at_month_end.judged_at
                        then {{ dbt.datediff(
                        'supplement_waits.requested_at',
                        'open_at_month_end.judged_at',
                        'second'
                    ) }}
                    else {{ dbt.datediff(
                        'supplement_waits.requested_at',
                        'supplement_waits.wait_ended_at',
                        'second'
                    ) }}
                end
            ) as {{ dbt.type_bigint() }}
        ) as supplement_seconds
    from open_at_month_end
    left join supplement_waits
        on open_at_month_end.dossier_code = supplement_waits.dossier_code
        and supplement_waits.requested_at <= open_at_month_end.judged_at
    group by
        open_at_month_end.dossier_code,
        open_at_month_end.month_start

),

judged as (

    select
        open_at_month_end.dossier_code,
        open_at_month_end.unit_code,
        open_at_month_end.province_code,
        open_at_month_end.month_start,
        open_at_month_end.judged_at,
        open_at_month_end.received_at,
        open_at_month_end.promised_at,
        waits_to_month_end.supplement_requests,
        waits_to_month_end.supplement_seconds,
        {{ timeliness(
            'open_at_month_end.judged_at',
            'waits_to_month_end.supplement_seconds',
            'open_at_month_end.promised_at',
            'waits_to_month_end.supplement_requests'
        ) }} as judged_timeliness
    from open_at_month_end
    inner join waits_to_month_end
        on open_at_month_end.dossier_code = waits_to_month_end.dossier_code
        and open_at_month_end.month_start = waits_to_month_end.month_start

),

final as (

    select
        dossier_code,
        unit_code,
        province_code,
        month_start,
        judged_at,
        received_at,
        promised_at,
        supplement_requests,
        supplement_seconds,
        case
            when judged_timeliness = 'overdue' then true
            when judged_timeliness is not null then false
        end as is_past_due
    from judged

)

select * from final
