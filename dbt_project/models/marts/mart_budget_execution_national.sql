{#
    mart_budget_execution summed over the provinces: nation × fiscal_year × level × flow ×
    category, the execution rate from the sums (never an average of province rates).
#}

with

budget as (

    select * from {{ ref('mart_budget_execution') }}

),

latest_year as (

    select
        max(fiscal_year) as fiscal_year
    from budget

),

national as (

    select
        fiscal_year,
        level,
        flow,
        category,
        cast(sum(units_reporting) as {{ dbt.type_bigint() }}) as units_reporting,
        cast(sum(planned_vnd) as {{ dbt.type_bigint() }}) as planned_vnd,
        cast(sum(allocated_vnd) as {{ dbt.type_bigint() }}) as allocated_vnd,
        cast(sum(disbursed_vnd) as {{ dbt.type_bigint() }}) as disbursed_vnd
    from budget
    group by
        fiscal_year,
        level,
        flow,
        category

),

final as (

    select
        national.fiscal_year,
        national.fiscal_year = latest_year.fiscal_year as is_latest_year,
        national.level,
        national.flow,
        national.category,
        national.units_reporting,
        national.planned_vnd,
        national.allocated_vnd,
        national.disbursed_vnd,
        {{ safe_divide('national.disbursed_vnd', 'national.allocated_vnd') }} as execution_rate
    from national
    cross join latest_year

)

select * from final
