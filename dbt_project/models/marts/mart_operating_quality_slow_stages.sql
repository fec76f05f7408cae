{#
    Slow-stage flags per commune-level unit (docs/indicators.md G): one row per unit ×
    procedure × processing step the unit completed, whole monitored period, from the
    bottleneck mart mart_slow_stages. A unit's step is slow when its own median dwell is at
    least var('slow_stage_min_ratio') × the national median of the same procedure's step,
    and the evidence is enough: the unit's own var('slow_stage_min_steps') steps, or, for a
    unit with fewer, its province's same step flagged slow (the province's steps pooled; a
    unit's few steps alone would flag chance).
#}

with

slow_stages as (

    select * from {{ ref('mart_slow_stages') }}

),

units as (

    select * from slow_stages
    where scope = 'unit'

),

provinces as (

    select * from slow_stages
    where scope = 'province'

),

final as (

    select
        units.area_code as unit_code,
        units.province_code,
        units.procedure_code,
        units.step_name,
        units.steps_completed,
        units.median_dwell_working_days,
        units.national_median_dwell_working_days,
        units.dwell_ratio,
        coalesce(provinces.is_slow_stage, false) as is_slow_in_province,
        case
            when units.is_slow_stage then 'unit'
            when units.dwell_ratio >= {{ var('slow_stage_min_ratio') }}
                and provinces.is_slow_stage then 'province'
        end as flag_basis,
        coalesce(
            units.is_slow_stage
            or (
                units.dwell_ratio >= {{ var('slow_stage_min_ratio') }}
                and provinces.is_slow_stage
            ),
            false
        ) as is_slow_stage
    from units
    left join provinces
        on units.province_code = provinces.area_code
        and units.procedure_code = provinces.procedure_code
        and units.step_name = provinces.step_name

)

select * from final
