{#
    One row per fact dossier × processing step it started (docs/indicators.md C): when the
    step started and ended, and its dwell in working time net of the applicant's supplement
    waits that fell inside it.

    A step starts at its first step_started event. It ends at its first step_completed
    after that start; an export without step completions (the status-code dialect) ends it
    at the next event that starts another step or ends processing (completed, result
    returned, rejected, withdrawn). A step ended by rejection or withdrawal, or not ended
    yet, is not completed and has no dwell.

    Incremental by dossier (macros/incremental.sql): with the changed months given, only the
    dossiers of int_changed_dossiers are rebuilt.
#}

{{ config(**incremental_config("{{ changed_dossiers_condition() }}")) }}
-- depends_on: {{ ref('int_changed_dossiers') }}

with

events as (

    select
        dossier_code,
        event_type,
        event_at,
        step_name
    from {{ ref('stg_procedure_logs__events') }}
    where event_type in (
            'step_started', 'step_completed', 'completed', 'result_returned', 'rejected',
            'withdrawn'
        )
        and {{ rows_to_rebuild(changed_dossiers_condition()) }}

),

dossiers as (

    select
        dossier_code,
        procedure_code,
        unit_code,
        province_code,
        timeliness
    from {{ ref('fct_dossiers') }}
    where {{ rows_to_rebuild(changed_dossiers_condition()) }}

),

procedures as (

    select
        procedure_code,
        statutory_days
    from {{ ref('dim_procedure') }}

),

calendar as (

    select * from {{ ref('int_working_calendar') }}

),

step_starts as (

    select
        dossier_code,
        step_name,
        min(event_at) as started_at
    from events
    where event_type = 'step_started'
        and step_name is not null
    group by
        dossier_code,
        step_name

),

step_completions as (

    select
        step_starts.dossier_code,
        step_starts.step_name,
        min(events.event_at) as completed_at
    from step_starts
    inner join events
        on step_starts.dossier_code = events.dossier_code
        and step_starts.step_name = events.step_name
        and events.event_type = 'step_completed'
        and step_starts.started_at <= events.event_at
    group by
        step_starts.dossier_code,
        step_starts.step_name

),

next_boundaries as (

    -- the first later event that starts another step or ends processing; at the same moment
    -- a rejection, then a withdrawal, then completion, result returned and the next step's
    -- start, so that an event ending processing names how the step ended and every build
    -- (full, incremental, Spark) makes the same choice (a grouped aggregate, not a window:
    -- macro first_by says why)
    select
        step_starts.dossier_code,
        step_starts.step_name,
        {{ first_by(
            struct_of([('boundary_at', 'events.event_at'), ('boundary_event', 'events.event_type')]),
            struct_of([
                ('at', 'events.event_at'),
                ('tie_order', "case events.event_type when 'rejected' then 1 "
                    ~ "when 'withdrawn' then 2 when 'completed' then 3 "
                    ~ "when 'result_returned' then 4 else 5 end"),
            ])
        ) }} as boundary
    from step_starts
    inner join events
        on step_starts.dossier_code = events.dossier_code
        and step_starts.started_at < events.event_at
        and (
            events.event_type in ('completed', 'result_returned', 'rejected', 'withdrawn')
            or (events.event_type = 'step_started' and step_starts.step_name <> events.step_name)
        )
    group by
        step_starts.dossier_code,
        step_starts.step_name

),

steps as {{ inline_cte() }} (

    select
        step_starts.dossier_code,
        step_starts.step_name,
        step_starts.started_at,
        coalesce(step_completions.completed_at, next_boundaries.boundary.boundary_at) as ended_at,
        case
            when step_completions.completed_at is not null then 'step_completed'
            when next_boundaries.boundary.boundary_event = 'step_started' then 'next_step'
            else next_boundaries.boundary.boundary_event
        end as ended_by
    from step_starts
    left join step_completions
        on step_starts.dossier_code = step_completions.dossier_code
        and step_starts.step_name = step_completions.step_name
    left join next_boundaries
        on step_starts.dossier_code = next_boundaries.dossier_code
        and step_starts.step_name = next_boundaries.step_name

),

completed_steps as {{ inline_cte() }} (

    select * from steps
    where ended_by in ('step_completed', 'next_step', 'completed', 'result_returned')

),

waits_in_steps as (

    -- the part of each supplement wait that falls inside the step; a wait with no end yet
    -- runs to the step's end
    select
        completed_steps.dossier_code,
        completed_steps.step_name,
        case
            when waits.requested_at > completed_steps.started_at then waits.requested_at
            else completed_steps.started_at
        end as overlap_start_at,
        case
            when waits.wait_ended_at is not null
                and waits.wait_ended_at < completed_steps.ended_at
                then waits.wait_ended_at
            else completed_steps.ended_at
        end as overlap_end_at
    from completed_steps
    inner join {{ ref('int_supplement_waits_paired') }} as waits
        on completed_steps.dossier_code = waits.dossier_code
        and completed_steps.ended_at > waits.requested_at
        and (waits.wait_ended_at is null or completed_steps.started_at < waits.wait_ended_at)

),

waits_per_step as (

    select
        waits_in_steps.dossier_code,
        waits_in_steps.step_name,
        sum(
            {{ working_days_between(
                'waits_in_steps.overlap_start_at', 'waits_in_steps.overlap_end_at',
                'overlap_start_day', 'overlap_end_day'
            ) }}
        ) as supplement_wait_working_days
    from waits_in_steps
    left join calendar as overlap_start_day
        on cast(waits_in_steps.overlap_start_at as date) = overlap_start_day.date_day
    left join calendar as overlap_end_day
        on cast(waits_in_steps.overlap_end_at as date) = overlap_end_day.date_day
    group by
        waits_in_steps.dossier_code,
        waits_in_steps.step_name

),

final as (

    select
        dossiers.dossier_code,
        dossiers.procedure_code,
        dossiers.unit_code,
        dossiers.province_code,
        steps.step_name,
        steps.started_at,
        steps.ended_at,
        steps.ended_by,
        -- a step still running (no end yet) is not completed: false, not null
        coalesce(
            steps.ended_by in ('step_completed', 'next_step', 'completed', 'result_returned'),
            false
        ) as is_completed,
        case
            when steps.ended_by in ('step_completed', 'next_step', 'completed', 'result_returned')
                then {{ month_start('steps.ended_at') }}
        end as month_start,
        cast(coalesce(waits_per_step.supplement_wait_working_days, 0) as {{ type_double() }})
            as supplement_wait_working_days,
        case
            when steps.ended_by in ('step_completed', 'next_step', 'completed', 'result_returned')
                then cast(
                        greatest(
                            {{ working_days_between(
                                'steps.started_at', 'steps.ended_at', 'start_day', 'end_day'
                            ) }}
                            - coalesce(waits_per_step.supplement_wait_working_days, 0),
                            0
                        ) as {{ type_double() }}
                    )
        end as dwell_working_days,
        procedures.statutory_days,
        dossiers.timeliness as dossier_timeliness
    from steps
    inner join dossiers
        on steps.dossier_code = dossiers.dossier_code
    left join procedures
        on dossiers.procedure_code = procedures.procedure_code
    left join calendar as start_day
        on cast(steps.started_at as date) = start_day.date_day
    left join calendar as end_day
        on cast(steps.ended_at as date) = end_day.date_day
    left join waits_per_step
        on steps.dossier_code = waits_per_step.dossier_code
        and steps.step_name = waits_per_step.step_name

)

select * from final
