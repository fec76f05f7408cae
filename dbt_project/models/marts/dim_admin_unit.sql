with

admin_units as (

    select * from {{ ref('admin_units') }}

),

population as (

    select
        unit_code,
        cast(population as {{ dbt.type_bigint() }}) as population
    from {{ ref('population') }}

),

province_population as (

    -- a province's population is its own row in the seed if given, else the sum of its
    -- commune-level units
    select
        admin_units.province_code,
        sum(population.population) as population
    from admin_units
    inner join population
        on admin_units.unit_code = population.unit_code
    where admin_units.unit_level = 'commune'
    group by admin_units.province_code

),

final as (

    select
        admin_units.unit_code,
        admin_units.unit_name,
        admin_units.unit_level,
        admin_units.unit_type,
        admin_units.province_code,
        admin_units.province_name,
        case
            when admin_units.unit_level = 'province'
                then coalesce(population.population, province_population.population)
            else population.population
        end as population
    from admin_units
    left join population
        on admin_units.unit_code = population.unit_code
    left join province_population
        on admin_units.unit_level = 'province'
        and admin_units.unit_code = province_population.province_code

)

select * from final
