{#
    Processing time and overdue share per procedure over the whole monitored period: every
    finished dossier with a processing time (completed, returned, rejected or withdrawn),
    so the slowest procedures can be listed without computing in the page.
#}

with

finished as (

    select
        procedure_code,
        processing_days,
        timeliness
    from {{ ref('fct_dossiers') }}
    where finished_at is not null
        and processing_days is not null

),

by_procedure as (

    select
        procedure_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as finished_dossiers,
        cast(sum(processing_days) as {{ type_double() }}) as processing_days_sum,
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
        processing_days_sum,
        {{ safe_divide('processing_days_sum', 'finished_dossiers') }} as avg_processing_days,
        finished_overdue,
        {{ safe_divide('finished_overdue', 'finished_dossiers') }} as overdue_share
    from by_procedure

)

select * from final
