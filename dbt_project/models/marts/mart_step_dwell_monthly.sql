{#
    One row per procedure × unit × month × processing step with a completed step
    (docs/indicators.md C): the dwell per step in working days (sum and count, so any roll-up
    sums them), and of the overdue dossiers, those in which the step took longer than its
    usual share of the deadline (mart_procedure_steps). The month is the step's end.
#}

with

steps as (

    select * from {{ ref('int_dossier_steps') }}
    where is_completed
        and dwell_working_days is not null

),

procedure_steps as (

    select
        procedure_code,
        step_name,
        usual_dwell_working_days,
        is_slowest_step
    from {{ ref('mart_procedure_steps') }}

),

by_cell as (

    select
        steps.procedure_code,
        steps.unit_code,
        steps.province_code,
        steps.month_start,
        steps.step_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as steps_completed,
        cast(sum(steps.dwell_working_days) as {{ type_double() }}) as dwell_working_days_sum,
        cast(
            sum(case when steps.dossier_timeliness = 'overdue' then 1 else 0 end)
            as {{ dbt.type_bigint() }}
        ) as overdue_dossiers,
        cast(
            sum(
                case
                    when steps.dossier_timeliness = 'overdue'
                        and steps.dwell_working_days > procedure_steps.usual_dwell_working_days
                        then 1
                    else 0
                end
            ) as {{ dbt.type_bigint() }}
        ) as overdue_over_usual
    from steps
    left join procedure_steps
        on steps.procedure_code = procedure_steps.procedure_code
        and steps.step_name = procedure_steps.step_name
    group by
        steps.procedure_code,
        steps.unit_code,
        steps.province_code,
        steps.month_start,
        steps.step_name

),

final as (

    select
        by_cell.procedure_code,
        by_cell.unit_code,
        by_cell.province_code,
        by_cell.month_start,
        by_cell.step_name,
        coalesce(procedure_steps.is_slowest_step, false) as is_slowest_step,
        by_cell.steps_completed,
        by_cell.dwell_working_days_sum,
        {{ safe_divide('by_cell.dwell_working_days_sum', 'by_cell.steps_completed') }}
            as avg_dwell_working_days,
        by_cell.overdue_dossiers,
        by_cell.overdue_over_usual,
        {{ safe_divide('by_cell.overdue_over_usual', 'by_cell.overdue_dossiers') }}
            as overdue_over_usual_share
    from by_cell
    left join procedure_steps
        on by_cell.procedure_code = procedure_steps.procedure_code
        and by_cell.step_name = procedure_steps.step_name

)

select * from final
