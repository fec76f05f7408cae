{#
    Budget execution per province × fiscal year × budget level × flow × category
    (docs/indicators.md E): the units' periods of fct_budget summed; execution rate =
    disbursed ÷ allocated through macro `safe_divide`.
#}

with

budget as (

    select * from {{ ref('fct_budget') }}

),

final as (

    select
        province_code,
        fiscal_year,
        level,
        flow,
        category,
        count(distinct unit_code) as units_reporting,
        cast(sum(planned_vnd) as {{ dbt.type_bigint() }}) as planned_vnd,
        cast(sum(allocated_vnd) as {{ dbt.type_bigint() }}) as allocated_vnd,
        cast(sum(disbursed_vnd) as {{ dbt.type_bigint() }}) as disbursed_vnd,
        {{ safe_divide('sum(disbursed_vnd)', 'sum(allocated_vnd)') }} as execution_rate
    from budget
    group by
        province_code,
        fiscal_year,
        level,
        flow,
        category

)

select * from final
