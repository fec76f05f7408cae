-- dim_admin_unit_history's current rows are dim_admin_unit, unchanged, for existing users:
-- returns each unit whose current version is missing or differs.

with

current_history as (

    select
        unit_code,
        unit_name,
        unit_level,
        unit_type,
        province_code,
        province_name,
        population
    from {{ ref('dim_admin_unit_history') }}
    where is_current

),

dimension as (

    select
        unit_code,
        unit_name,
        unit_level,
        unit_type,
        province_code,
        province_name,
        population
    from {{ ref('dim_admin_unit') }}

),

missing as (

    select * from dimension
    except
    select * from current_history

),

extra as (

    select * from current_history
    except
    select * from dimension

)

select * from missing
union all
select * from extra
