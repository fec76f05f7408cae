-- Old unit -> today's unit with an allocation weight, to restate anything recorded under a
-- pre-reform code on today's units. An old unit that went whole into one unit has weight 1.
-- An old unit split among several (a partial merger, or a district whose communes went to
-- several units): the population of the parts is not published, so the weights are the
-- receiving units' populations (seed population) when every one is known and positive, else
-- equal shares. The weights of each old unit sum to 1.

with

lineage as (

    select * from {{ ref('unit_lineage') }}

),

current_units as (

    select
        unit_code,
        province_code,
        population
    from {{ ref('dim_admin_unit') }}

),

targets as (

    select
        lineage.old_unit_code,
        lineage.old_unit_level,
        lineage.new_unit_code,
        current_units.province_code as new_province_code,
        lineage.transfer,
        lineage.resolution,
        lineage.match_method,
        current_units.population as new_unit_population
    from lineage
    inner join current_units
        on lineage.new_unit_code = current_units.unit_code

),

per_old_unit as (

    select
        old_unit_code,
        count(*) as targets,
        sum(new_unit_population) as targets_population,
        -- population can weigh the shares only if every receiving unit has some
        min(case when new_unit_population > 0 then 1 else 0 end) as all_populated
    from targets
    group by old_unit_code

),

weighted as (

    select
        targets.*,
        case
            when per_old_unit.targets = 1 then 'whole'
            when per_old_unit.all_populated = 1 then 'population'
            else 'equal_share'
        end as weight_basis,
        per_old_unit.targets,
        per_old_unit.targets_population
    from targets
    inner join per_old_unit
        on targets.old_unit_code = per_old_unit.old_unit_code

),

final as (

    select
        old_unit_code,
        old_unit_level,
        new_unit_code,
        new_province_code,
        transfer,
        weight_basis,
        case weight_basis
            when 'whole' then 1.0
            when 'population' then {{ safe_divide('new_unit_population', 'targets_population') }}
            else {{ safe_divide('1.0', 'targets') }}
        end as allocation_weight,
        resolution,
        match_method
    from weighted

)

select * from final
