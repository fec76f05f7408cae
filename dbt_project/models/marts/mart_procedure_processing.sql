{#
    Processing time and overdue share per procedure over the whole monitored period. The
    overdue share counts every judged finish (completed, returned, rejected, withdrawn); the
    processing time only dossiers processed to a result, in working days (comparable with
    dim_procedure.statutory_days): a rejection or withdrawal is not a processing time.
#}

with

finished as (

    select
        procedure_code,
        processing_working_days,
        timeliness
    from {{ ref('fct_dossiers') }}
    where finished_at is not null
        and timeliness is not null

),

by_procedure as (

    select
        procedure_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as finished_dossiers,
        cast(count(processing_working_days) as {{ dbt.type_bigint() }}) as completed_dossiers,
        cast(sum(processing_working_days) as {{ type_double() }}) as processing_days_sum,
        cast(
            sum(case when timeliness = 'overdue' then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as finished_overdue
    from finished
    group by procedure_code

),

final as (

    select
        procedure_code,
        finished_dossiers,
        completed_dossiers,
        processing_days_sum,
        {{ safe_divide('processing_days_sum', 'completed_dossiers') }} as avg_processing_days,
        finished_overdue,
        {{ safe_divide('finished_overdue', 'finished_dossiers') }} as overdue_share
    from by_procedure

)

select * from final
