{#
    How many commune-level units sit how far from their staffing norm (headcount − norm,
    whole persons), by unit type, at each province's latest roster month.
#}

with

capacity as (

    select * from {{ ref('mart_unit_capacity_monthly') }}

),

latest_months as (

    select
        province_code,
        max(month_start) as month_start
    from capacity
    group by province_code

),

by_gap as (

    select
        cast(capacity.staff_norm_gap as {{ dbt.type_bigint() }}) as staff_norm_gap,
        capacity.unit_type,
        cast(count(*) as {{ dbt.type_bigint() }}) as units
    from capacity
    inner join latest_months
        on capacity.province_code = latest_months.province_code
        and capacity.month_start = latest_months.month_start
    where capacity.staff_norm_gap is not null
    group by
        cast(capacity.staff_norm_gap as {{ dbt.type_bigint() }}),
        capacity.unit_type

),

final as (

    select
        staff_norm_gap,
        unit_type,
        units,
        cast(sum(units) over (partition by staff_norm_gap) as {{ dbt.type_bigint() }}) as units_at_gap
    from by_gap

)

select * from final
