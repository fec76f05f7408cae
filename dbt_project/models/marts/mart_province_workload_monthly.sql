{#
    Dossiers finished per staff member who handled dossiers, per province and roster month,
    and over the whole period (pooled: summed dossiers ÷ summed handling staff), from
    mart_unit_capacity_monthly.
#}

with

monthly as (

    select
        province_code,
        month_start,
        cast(sum(dossiers_finished) as {{ dbt.type_bigint() }}) as dossiers_finished,
        cast(sum(handling_staff) as {{ dbt.type_bigint() }}) as handling_staff
    from {{ ref('mart_unit_capacity_monthly') }}
    group by
        province_code,
        month_start

),

with_period as (

    select
        monthly.*,
        cast(sum(dossiers_finished) over (partition by province_code) as {{ dbt.type_bigint() }})
            as period_dossiers_finished,
        cast(sum(handling_staff) over (partition by province_code) as {{ dbt.type_bigint() }})
            as period_handling_staff
    from monthly

),

final as (

    select
        province_code,
        month_start,
        dossiers_finished,
        handling_staff,
        {{ safe_divide('dossiers_finished', 'handling_staff') }} as workload_per_handling_staff,
        period_dossiers_finished,
        period_handling_staff,
        {{ safe_divide('period_dossiers_finished', 'period_handling_staff') }}
            as period_workload_per_handling_staff
    from with_period

)

select * from final
