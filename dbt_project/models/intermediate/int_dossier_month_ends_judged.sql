{#
    One row per received dossier (fact) × month end at which it was still open, judged as
    the portal does at a period's end (docs/on_time_clock.md): within due or past due, the
    working time spent waiting for the applicant up to that moment not counted, more than
    one supplement request meaning past due (macro `timeliness`).

    A month is judged at the start of the next month (00:00 of its first day): what
    happened before it happened in the month, whatever the fraction of a second. The month
    holding the data cut-off (the latest event in the warehouse) is judged at the cut-off
    instead, its end not having happened yet. Months come from dim_date (the calendar's
    range bounds them).
#}

{#- a wait measure -> its value for a wait still running at the judgement (it counts up to it) -#}
{%- set wait_measures = {
    'seconds': dbt.datediff('supplement_waits.requested_at', 'open_at_month_end.judged_at', 'second'),
    'working_seconds': working_seconds_between(
        working_second('supplement_waits.requested_at', 'request_day'),
        working_second('open_at_month_end.judged_at', 'judged_day'),
        'supplement_waits.requested_at',
        'open_at_month_end.judged_at'
    ),
} %}

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

working_calendar as (

    select * from {{ ref('int_working_calendar') }}

),

supplement_waits as (

    select
        dossier_code,
        requested_at,
        wait_ended_at,
        wait_seconds,
        wait_working_seconds
    from {{ ref('int_supplement_waits_paired') }}

),

dossier_months as (

    -- happened_before: the moment before which an event counts as happened (exclusive);
    -- at the cut-off, everything up to and including it happened (nothing is later)
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
            else {{ next_month_start_at('months.month_start') }}
        end as judged_at,
        case
            when months.month_start = {{ month_start('cut_off.data_cut_off_at') }}
                then {{ dbt.dateadd('second', '1', 'cut_off.data_cut_off_at') }}
            else {{ next_month_start_at('months.month_start') }}
        end as happened_before
    from dossiers
    cross join cut_off
    inner join months
        on months.month_start >= {{ month_start('dossiers.received_at') }}
        and months.month_start
        <= {{ month_start('coalesce(dossiers.finished_at, cut_off.data_cut_off_at)') }}

),

open_at_month_end as (

    select * from dossier_months
    where received_at < happened_before
        and (finished_at is null or finished_at >= happened_before)

),

waits_to_month_end as (

    -- a wait still running at the judgement counts up to it
    select
        open_at_month_end.dossier_code,
        open_at_month_end.month_start,
        count(supplement_waits.requested_at) as supplement_requests,
    {%- for measure, running in wait_measures.items() %}
        cast(
            sum(
                case
                    when supplement_waits.requested_at is null then 0
                    when supplement_waits.wait_ended_at is null
                        or supplement_waits.wait_ended_at >= open_at_month_end.happened_before
                        then {{ running }}
                    else supplement_waits.wait_{{ measure }}
                end
            ) as {{ dbt.type_bigint() }}
        ) as supplement_{{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
    from open_at_month_end
    left join supplement_waits
        on open_at_month_end.dossier_code = supplement_waits.dossier_code
        and open_at_month_end.happened_before > supplement_waits.requested_at
    left join working_calendar as request_day
        on cast(supplement_waits.requested_at as date) = request_day.date_day
    left join working_calendar as judged_day
        on cast(open_at_month_end.judged_at as date) = judged_day.date_day
    group by
        open_at_month_end.dossier_code,
        open_at_month_end.month_start

),

placed as (

    select
        open_at_month_end.*,
        waits_to_month_end.supplement_requests,
        waits_to_month_end.supplement_seconds,
        waits_to_month_end.supplement_working_seconds,
        {{ working_second('open_at_month_end.judged_at', 'judged_day') }}
        - waits_to_month_end.supplement_working_seconds as adjusted_judged_working_second
    from open_at_month_end
    inner join waits_to_month_end
        on open_at_month_end.dossier_code = waits_to_month_end.dossier_code
        and open_at_month_end.month_start = waits_to_month_end.month_start
    left join working_calendar as judged_day
        on cast(open_at_month_end.judged_at as date) = judged_day.date_day

),

judged as (

    select
        placed.*,
        -- the moment of judgement net of the waits (working time)
        {{ moved_by_working_time(
            'placed.judged_at',
            '-1 * placed.supplement_working_seconds',
            'placed.adjusted_judged_working_second',
            'adjusted_judged_day'
        ) }} as adjusted_judged_at
    from placed
    left join working_calendar as adjusted_judged_day
        on adjusted_judged_day.is_working_day
        and adjusted_judged_day.working_days_before
        = {{ working_day_index('placed.adjusted_judged_working_second') }}

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
        supplement_working_seconds,
        adjusted_judged_at,
        {{ timeliness('adjusted_judged_at', 'promised_at', 'supplement_requests') }} = 'overdue'
            as is_past_due
    from judged

)

select * from final
