{#
    One row per dossier seen in the events (facts and rejects alike): its attributes, the
    moments that time it, the supplement waits, and the on-time judgement of finished
    dossiers (macro `timeliness`, docs/on_time_clock.md). Waits and processing times are
    counted in working time (macros/working_time.sql).

    Incremental by dossier (macros/incremental.sql): with the changed months given, only the
    dossiers of int_changed_dossiers are rebuilt; every row is one dossier's own events.
#}

{{ config(**incremental_config("{{ changed_dossiers_condition() }}")) }}
-- depends_on: {{ ref('int_changed_dossiers') }}

{%- set reform = "cast('" ~ var('reform_date') ~ "' as " ~ dbt.type_timestamp() ~ ")" %}
{#- the dossiers this build redoes: all, or those of the changed months -#}
{%- set rebuilt = rows_to_rebuild(changed_dossiers_condition()) %}

with

events as (

    select * from {{ ref('stg_procedure_logs__events') }}
    where {{ rebuilt }}

),

-- A dossier's distinct units (on each side of the reform day) and procedures, counted apart
-- from per_dossier and read from the model again rather than from `events`: a distinct
-- count among per_dossier's aggregates made DuckDB buffer every event's aggregate inputs
-- first (at 10x: 4.8 GB spilled, the model 49 s against 29 s), and a second reader of
-- `events` would buffer every event too.
event_units as (

    select distinct
        dossier_code,
        event_at >= {{ reform }} as after_reform,
        unit_code
    from {{ ref('stg_procedure_logs__events') }}
    where unit_code is not null
        and {{ rebuilt }}

),

event_procedures as (

    select distinct
        dossier_code,
        procedure_code
    from {{ ref('stg_procedure_logs__events') }}
    where procedure_code is not null
        and {{ rebuilt }}

),

unit_counts as (

    -- a dossier in flight on the reform day was handed over to today's unit: its events
    -- conflict only when they name two units on the same side of that day
    select
        dossier_code,
        greatest(
            count(case when not after_reform then 1 end),
            count(case when after_reform then 1 end)
        ) as unit_count
    from event_units
    group by dossier_code

),

procedure_counts as (

    select
        dossier_code,
        count(*) as procedure_count
    from event_procedures
    group by dossier_code

),

procedures as (

    select
        procedure_code,
        cast(statutory_days as {{ dbt.type_int() }}) as statutory_days
    from {{ ref('procedure_catalogue') }}

),

supplement_waits as (

    select * from {{ ref('int_supplement_waits_paired') }}

),

working_calendar as (

    select * from {{ ref('int_working_calendar') }}

),

per_dossier as (

    -- one pass over the dossier's events, grouped (macro first_by: a window per dossier
    -- keeps state DuckDB cannot spill, and failed to pin memory here at 10× under 1 GB):
    -- - the opening event (first submission or receipt; a submission first on a tie)
    --   carries the dossier's procedure, unit, channel and applicant;
    -- - the first receipt starts the clock and sets the promise (on a tie the earlier
    --   promise, a missing one last);
    -- - the end of processing is the first of processed, result returned, stopped/refused,
    --   withdrawn; simultaneous ends ranked in that order
    select
        dossier_code,
        {{ first_by(
            struct_of([
                ('procedure_code', 'procedure_code'), ('unit_code', 'unit_code'),
                ('province_code', 'province_code'), ('channel', 'channel'),
                ('applicant_type', 'applicant_type'),
            ]),
            "case when event_type in ('submitted', 'received') then " ~ struct_of([
                ('at', 'event_at'),
                ('submitted_first', "case when event_type = 'submitted' then 1 else 2 end"),
            ]) ~ ' end'
        ) }} as opening,
        {{ first_by(
            struct_of([('received_at', 'event_at'), ('due_at', 'due_at')]),
            "case when event_type = 'received' then " ~ struct_of([
                ('at', 'event_at'),
                ('due_missing', 'case when due_at is null then 1 else 0 end'),
                ('due_at', 'due_at'),
            ]) ~ ' end'
        ) }} as first_receipt,
        {{ first_by(
            struct_of([('finished_at', 'event_at'), ('finish_event', 'event_type')]),
            "case when event_type in ('completed', 'result_returned', 'rejected', 'withdrawn') "
            ~ "then " ~ struct_of([
                ('at', 'event_at'),
                ('finish_order', "case event_type when 'completed' then 1 "
                    ~ "when 'result_returned' then 2 when 'rejected' then 3 else 4 end"),
            ]) ~ ' end'
        ) }} as first_finish,
        min(case when event_type = 'submitted' then event_at end) as submitted_at,
        min(case when event_type = 'result_returned' then event_at end) as result_returned_at,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        count(*) as event_count,
        min(unit_code) as any_unit_code,
        min(province_code) as any_province_code,
        min(procedure_code) as any_procedure_code,
        min(channel) as any_channel,
        max(applicant_type) as any_applicant_type,
        {{ dbt.bool_or('fee_paid_online') }} as fee_paid_online,
        {{ dbt.bool_or('synced_to_portal') }} as synced_to_portal,
        {{ dbt.bool_or('components_digitised') }} as components_digitised,
        {{ dbt.bool_or('result_digitised') }} as result_digitised,
        {{ dbt.bool_or('data_reused') }} as data_reused,
        max(case when event_type = 'result_returned' then satisfaction_score end)
            as satisfaction_score
    from events
    group by dossier_code

),

counted as (

    select
        per_dossier.*,
        coalesce(unit_counts.unit_count, 0) as unit_count,
        coalesce(procedure_counts.procedure_count, 0) as procedure_count
    from per_dossier
    left join unit_counts
        on per_dossier.dossier_code = unit_counts.dossier_code
    left join procedure_counts
        on per_dossier.dossier_code = procedure_counts.dossier_code

),

dossiers as (

    select
        dossier_code,
        coalesce(opening.procedure_code, any_procedure_code) as procedure_code,
        coalesce(opening.unit_code, any_unit_code) as unit_code,
        coalesce(opening.province_code, any_province_code) as province_code,
        coalesce(opening.channel, any_channel) as channel,
        coalesce(opening.applicant_type, any_applicant_type) as applicant_type,
        submitted_at,
        first_receipt.received_at,
        first_receipt.due_at,
        first_finish.finished_at,
        first_finish.finish_event,
        result_returned_at,
        first_event_at,
        last_event_at,
        event_count,
        unit_count,
        procedure_count,
        fee_paid_online,
        synced_to_portal,
        components_digitised,
        result_digitised,
        data_reused,
        satisfaction_score
    from counted

),

statutory_promises as (

    -- a receipt without a due date is promised the procedure's statutory_days-th working
    -- day after the day of receipt (weekends and public holidays skipped, dim_date); a
    -- receipt on a closed day is counted from the next working day, as the office opens
    -- it then (working_days_before of a closed day is the next working day's index)
    select
        dossiers.dossier_code,
        due_day.date_day as promised_date
    from dossiers
    inner join procedures
        on dossiers.procedure_code = procedures.procedure_code
    inner join working_calendar as receipt_day
        on cast(dossiers.received_at as date) = receipt_day.date_day
    inner join working_calendar as due_day
        on due_day.is_working_day
        and due_day.working_days_before
        = receipt_day.working_days_before + procedures.statutory_days
    where dossiers.due_at is null
        and dossiers.received_at is not null

),

waits_per_dossier as (

    -- requests after the end of processing are ignored; a request before the end has
    -- ended its wait by then (the end is a later event); a wait still running on an open
    -- dossier has no end yet: it is counted when the dossier is judged
    -- (int_dossier_month_ends_judged)
    select
        supplement_waits.dossier_code,
        count(*) as supplement_requests,
        cast(coalesce(sum(supplement_waits.wait_seconds), 0) as {{ dbt.type_bigint() }})
            as supplement_seconds,
        cast(coalesce(sum(supplement_waits.wait_working_seconds), 0) as {{ dbt.type_bigint() }})
            as supplement_working_seconds
    from supplement_waits
    inner join dossiers
        on supplement_waits.dossier_code = dossiers.dossier_code
    where dossiers.finished_at is null
        or supplement_waits.requested_at < dossiers.finished_at
    group by supplement_waits.dossier_code

),

timed as {{ materialized_cte() }} (

    -- buffered before the calendar joins below: macros/materialized_cte.sql

    select
        dossiers.*,
        case
            when dossiers.due_at is not null
                then dossiers.due_at
            -- at the hour of receipt on the promised working day
            when statutory_promises.promised_date is not null
                then {{ dbt.dateadd(
                    'day',
                    dbt.datediff('cast(dossiers.received_at as date)', 'statutory_promises.promised_date', 'day'),
                    'dossiers.received_at'
                ) }}
            -- beyond the calendar (dim_date): calendar days
            else {{ dbt.dateadd('day', 'procedures.statutory_days', 'dossiers.received_at') }}
        end as promised_at,
        dossiers.due_at is null and dossiers.received_at is not null as is_promise_imputed,
        coalesce(waits_per_dossier.supplement_requests, 0) as supplement_requests,
        coalesce(waits_per_dossier.supplement_seconds, 0) as supplement_seconds,
        coalesce(waits_per_dossier.supplement_working_seconds, 0) as supplement_working_seconds
    from dossiers
    left join procedures
        on dossiers.procedure_code = procedures.procedure_code
    left join statutory_promises
        on dossiers.dossier_code = statutory_promises.dossier_code
    left join waits_per_dossier
        on dossiers.dossier_code = waits_per_dossier.dossier_code

),

placed as (

    -- the moments on the working-second axis (macros/working_time.sql)
    select
        timed.*,
        {{ working_second('timed.received_at', 'received_day') }} as received_working_second,
        {{ working_second('timed.finished_at', 'finished_day') }} as finished_working_second,
        {{ working_second('timed.promised_at', 'promised_day') }} as promised_working_second
    from timed
    left join working_calendar as received_day
        on cast(timed.received_at as date) = received_day.date_day
    left join working_calendar as finished_day
        on cast(timed.finished_at as date) = finished_day.date_day
    left join working_calendar as promised_day
        on cast(timed.promised_at as date) = promised_day.date_day

),

moved as (

    -- the end of processing net of the waits: finished_at moved earlier by the working
    -- time waited (equivalently, the promise moves later by it on the working-time axis)
    select
        placed.*,
        {{ moved_by_working_time(
            'placed.finished_at',
            '-1 * placed.supplement_working_seconds',
            'placed.finished_working_second - placed.supplement_working_seconds',
            'adjusted_finish_day'
        ) }} as adjusted_finished_at
    from placed
    left join working_calendar as adjusted_finish_day
        on adjusted_finish_day.is_working_day
        and adjusted_finish_day.working_days_before = {{ working_day_index(
            'placed.finished_working_second - placed.supplement_working_seconds'
        ) }}

),

final as (

    select
        dossier_code,
        procedure_code,
        unit_code,
        province_code,
        channel,
        applicant_type,
        submitted_at,
        received_at,
        promised_at,
        is_promise_imputed,
        finished_at,
        finish_event,
        result_returned_at,
        first_event_at,
        last_event_at,
        event_count,
        unit_count,
        procedure_count,
        supplement_requests,
        supplement_seconds,
        cast(supplement_seconds as {{ type_double() }}) / 86400 as supplement_days,
        supplement_working_seconds,
        cast(supplement_working_seconds as {{ type_double() }}) / {{ office_seconds() }}
            as supplement_working_days,
        adjusted_finished_at,
        -- calendar days, kept for the readers of the first version; indicators use
        -- processing_working_days
        case
            when finished_at is not null and received_at is not null
                then cast(
                        {{ dbt.datediff('received_at', 'finished_at', 'second') }}
                        - supplement_seconds
                        as {{ type_double() }}
                    ) / 86400
        end as processing_days,
        case
            when finish_event in ('completed', 'result_returned') and received_at is not null
                then cast(
                    {{ working_seconds_between(
                        'received_working_second',
                        'finished_working_second',
                        'received_at',
                        'finished_at'
                    ) }} - supplement_working_seconds
                        as {{ type_double() }}
                    ) / {{ office_seconds() }}
        end as processing_working_days,
        -- the working time the promise gives, receipt to promised return: the yardstick of
        -- processing_working_days (the 766 processing-time ratio)
        case
            when received_at is not null and promised_at is not null
                then cast(
                    {{ working_seconds_between(
                        'received_working_second',
                        'promised_working_second',
                        'received_at',
                        'promised_at'
                    ) }} as {{ type_double() }}
                    ) / {{ office_seconds() }}
        end as promised_working_days,
        case
            when received_at is not null
                then {{ timeliness('adjusted_finished_at', 'promised_at', 'supplement_requests') }}
        end as timeliness,
        fee_paid_online,
        synced_to_portal,
        components_digitised,
        result_digitised,
        data_reused,
        satisfaction_score,
        case
            when submitted_at is null and received_at is null
                then 'no submission or receipt event'
            when unit_count > 1
                then 'events reference conflicting units'
            when procedure_count > 1
                then 'events reference conflicting procedures'
        end as reject_reason
    from moved

)

select * from final
