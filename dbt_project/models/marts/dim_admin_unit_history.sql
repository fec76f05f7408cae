-- Every administrative unit through time: today's units (valid from the reform day, open
-- ended; the same rows and columns as dim_admin_unit) and the units before the reform
-- (valid to 2025-06-30). A code alone is not a key: 3,310 of today's commune codes and all 34
-- province codes were also codes of other, absorbed units before the reform.

with

current_units as (

    select * from {{ ref('dim_admin_unit') }}

),

old_units as (

    select * from {{ ref('admin_units_before_reform') }}

),

old_provinces as (

    select
        unit_code as province_code,
        unit_name as province_name
    from old_units
    where unit_level = 'province'

),

current_versions as (

    select
        unit_code,
        unit_name,
        unit_level,
        unit_type,
        province_code,
        province_name,
        cast(null as {{ dbt.type_string() }}) as district_code,
        population,
        cast('{{ var("reform_date") }}' as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_current
    from current_units

),

old_versions as (

    -- valid_from is not recorded: the units existed before the source's January 2025 snapshot
    select
        old_units.unit_code,
        old_units.unit_name,
        old_units.unit_level,
        old_units.unit_type,
        old_units.province_code,
        old_provinces.province_name,
        old_units.district_code,
        cast(null as {{ dbt.type_bigint() }}) as population,
        cast(null as date) as valid_from,
        cast(old_units.valid_to as date) as valid_to,
        false as is_current
    from old_units
    inner join old_provinces
        on old_units.province_code = old_provinces.province_code

),

unioned as (

    select * from current_versions
    union all
    select * from old_versions

),

final as (

    -- the version key, then the union's columns as current_versions names and orders them
    select
        {{ surrogate_key(['unit_code', 'valid_to']) }} as unit_version_key,
        unioned.*
    from unioned

)

select * from final
