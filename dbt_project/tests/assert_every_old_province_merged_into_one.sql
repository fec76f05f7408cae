-- Provinces merged whole in 2025 (Resolution 202/2025/QH15): each of the 63 old provinces
-- went into exactly one of today's 34, and all of its communes with a successor went there
-- too. Returns each old province or commune that breaks this.

with

province_lineage as (

    select
        old_unit_code as old_province_code,
        new_unit_code as new_province_code
    from {{ ref('unit_lineage') }}
    where old_unit_level = 'province'

),

split_provinces as (

    select
        old_province_code,
        cast(null as {{ dbt.type_string() }}) as old_commune_code
    from province_lineage
    group by old_province_code
    having count(*) <> 1

),

communes_elsewhere as (

    select
        old_units.province_code as old_province_code,
        lineage.old_unit_code as old_commune_code
    from {{ ref('unit_lineage') }} as lineage
    inner join {{ ref('admin_units_before_reform') }} as old_units
        on lineage.old_unit_code = old_units.unit_code
    inner join {{ ref('admin_units') }} as new_units
        on lineage.new_unit_code = new_units.unit_code
    inner join province_lineage
        on old_units.province_code = province_lineage.old_province_code
    where lineage.old_unit_level = 'commune'
        and new_units.province_code <> province_lineage.new_province_code

)

select * from split_provinces
union all
select * from communes_elsewhere
