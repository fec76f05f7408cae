{#
    For each required specialisation, how many commune-level units have nobody at work in
    it (status active; on leave does not fill a post, as specialisations_filled of
    mart_unit_capacity_monthly), at each province's latest roster month, nationally.
#}

with

capacity as (

    select * from {{ ref('mart_unit_capacity_monthly') }}

),

latest as (

    {{ latest_month_of_province('capacity') }}

),

required as (

    select
        specialisation,
        specialisation_name_vi
    from {{ ref('dim_specialisation') }}
    where is_required

),

filled as (

    select distinct
        staffing.unit_code,
        staffing.month_start,
        staffing.specialisation
    from {{ ref('fct_staffing_monthly') }} as staffing
    inner join latest
        on staffing.unit_code = latest.unit_code
        and staffing.month_start = latest.month_start
    where staffing.active_staff > 0

),

counted as (

    select
        required.specialisation,
        required.specialisation_name_vi,
        cast(count(*) as {{ dbt.type_bigint() }}) as units,
        cast(sum(case when filled.unit_code is null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as units_missing
    from latest
    cross join required
    left join filled
        on latest.unit_code = filled.unit_code
        and latest.month_start = filled.month_start
        and required.specialisation = filled.specialisation
    group by
        required.specialisation,
        required.specialisation_name_vi

),

final as (

    select
        specialisation,
        specialisation_name_vi,
        units,
        units_missing,
        {{ safe_divide('units_missing', 'units') }} as missing_share
    from counted

)

select * from final
