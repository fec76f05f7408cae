{#
    Surplus offices by where they stand, nationally, each month: every province at its
    latest asset snapshot so far, so a province that skipped a month keeps its last known
    figures rather than dropping out of the national total.
#}

with

province_months as (

    select * from {{ ref('mart_province_assets') }}

),

months as (

    select distinct
        month_start
    from province_months

),

as_of_months as (

    select
        months.month_start,
        province_months.province_code,
        max(province_months.month_start) as as_of_month
    from months
    inner join province_months
        on months.month_start >= province_months.month_start
    group by
        months.month_start,
        province_months.province_code

),

final as (

    select
        as_of_months.month_start,
        cast(count(*) as {{ dbt.type_bigint() }}) as provinces,
    {%- for column in ['waiting', 'repurposing', 'repurposed', 'disposed'] %}
        cast(sum(province_months.{{ column }}) as {{ dbt.type_bigint() }})
            as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from as_of_months
    inner join province_months
        on as_of_months.province_code = province_months.province_code
        and as_of_months.as_of_month = province_months.month_start
    group by as_of_months.month_start

)

select * from final
