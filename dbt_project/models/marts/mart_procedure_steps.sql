{#
    One row per procedure × processing step, nation, whole monitored period (docs/indicators.md
    G): how long the step takes, which step of the procedure is the slowest, its usual share
    of the deadline, and in how many overdue dossiers the step took longer than that share.
#}

with

steps as (

    select
        procedure_code,
        step_name,
        dwell_working_days,
        statutory_days,
        dossier_timeliness
    from {{ ref('int_dossier_steps') }}
    where is_completed
        and dwell_working_days is not null

),

by_step as (

    select
        procedure_code,
        step_name,
        max(statutory_days) as statutory_days,
        cast(count(*) as {{ dbt.type_bigint() }}) as steps_completed,
        cast(sum(dwell_working_days) as {{ type_double() }}) as dwell_working_days_sum,
        {{ median('dwell_working_days') }} as median_dwell_working_days,
        cast(
            sum(case when dossier_timeliness in ('early', 'on_time') then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as timely_steps
    from steps
    group by
        procedure_code,
        step_name

),

usual as (

    -- the step's usual dwell: the median over dossiers that finished within due
    select
        procedure_code,
        step_name,
        {{ median('dwell_working_days') }} as usual_dwell_working_days
    from steps
    where dossier_timeliness in ('early', 'on_time')
    group by
        procedure_code,
        step_name

),

overdue_steps as (

    select
        steps.procedure_code,
        steps.step_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as overdue_dossiers,
        cast(
            sum(
                case
                    when steps.dwell_working_days > usual.usual_dwell_working_days then 1
                    else 0
                end
            ) as {{ dbt.type_bigint() }}
        ) as overdue_over_usual
    from steps
    inner join usual
        on steps.procedure_code = usual.procedure_code
        and steps.step_name = usual.step_name
    where steps.dossier_timeliness = 'overdue'
    group by
        steps.procedure_code,
        steps.step_name

),

ranked as (

    select
        by_step.*,
        usual.usual_dwell_working_days,
        row_number() over (
            partition by by_step.procedure_code
            order by by_step.median_dwell_working_days desc, by_step.step_name asc
        ) as slowness_rank
    from by_step
    left join usual
        on by_step.procedure_code = usual.procedure_code
        and by_step.step_name = usual.step_name

),

final as (

    select
        ranked.procedure_code,
        ranked.step_name,
        ranked.statutory_days,
        ranked.steps_completed,
        ranked.dwell_working_days_sum,
        {{ safe_divide('ranked.dwell_working_days_sum', 'ranked.steps_completed') }}
            as avg_dwell_working_days,
        ranked.median_dwell_working_days,
        cast(ranked.slowness_rank as {{ dbt.type_int() }}) as slowness_rank,
        ranked.slowness_rank = 1 as is_slowest_step,
        ranked.timely_steps,
        ranked.usual_dwell_working_days,
        {{ safe_divide('ranked.usual_dwell_working_days', 'ranked.statutory_days') }}
            as usual_deadline_share,
        coalesce(overdue_steps.overdue_dossiers, 0) as overdue_dossiers,
        coalesce(overdue_steps.overdue_over_usual, 0) as overdue_over_usual,
        {{ safe_divide(
            'coalesce(overdue_steps.overdue_over_usual, 0)',
            'coalesce(overdue_steps.overdue_dossiers, 0)'
        ) }} as overdue_over_usual_share
    from ranked
    left join overdue_steps
        on ranked.procedure_code = overdue_steps.procedure_code
        and ranked.step_name = overdue_steps.step_name

)

select * from final
