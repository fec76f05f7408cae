{#
    Supplement-request rate per procedure, whole monitored period (docs/indicators.md C):
    of the dossiers received, those sent back to the applicant at least once for a
    supplement during processing.
#}

with

received as (

    select
        procedure_code,
        supplement_requests
    from {{ ref('fct_dossiers') }}
    where received_at is not null

),

final as (

    select
        procedure_code,
        cast(count(*) as {{ dbt.type_bigint() }}) as dossiers_received,
        cast(
            sum(case when supplement_requests >= 1 then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as dossiers_with_supplement_request,
        cast(
            sum(case when supplement_requests >= 2 then 1 else 0 end) as {{ dbt.type_bigint() }}
        ) as dossiers_with_repeat_request,
        cast(sum(supplement_requests) as {{ dbt.type_bigint() }}) as supplement_requests,
        {{ safe_divide(
            'sum(case when supplement_requests >= 1 then 1 else 0 end)', 'count(*)'
        ) }} as supplement_request_rate
    from received
    group by procedure_code

)

select * from final
