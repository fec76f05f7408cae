{#
    How many commune-level units sit how far from their staffing norm (headcount − norm,
    whole persons), by unit type, at each province's latest roster month.
#}

with

capacity as (

    select * from {{ ref('mart_unit_capacity_monthly') }}

),

latest as (

    {{ latest_month_of_province('capacity') }}

),

by_gap as (

    select
        cast(staff_norm_gap as {{ dbt.type_bigint() }}) as staff_norm_gap,
        unit_type,
        cast(count(*) as {{ dbt.type_bigint() }}) as units
    from latest
    where staff_norm_gap is not null
    group by
        cast(staff_norm_gap as {{ dbt.type_bigint() }}),
        unit_type

),

final as (

    select
        staff_norm_gap,
        unit_type,
        units,
        cast(sum(units) over (partition by staff_norm_gap) as {{ dbt.type_bigint() }})
            as units_at_gap
    from by_gap

)

select * from final
