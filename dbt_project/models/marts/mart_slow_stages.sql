{#
    The slow-stage flag (docs/indicators.md C): one row per scope (province | unit) × area ×
    procedure × processing step, whole monitored period. A step is a slow stage in an area
    when the area's median dwell is at least var('slow_stage_min_ratio') times the
    national median of the same procedure's same step, over at least
    var('slow_stage_min_steps') completed steps.

    The national median is the median of the provinces' medians (each province with at
    least var('slow_stage_min_steps') completed steps counts once), so one large province
    cannot set the yardstick it is measured against.
#}

with

steps as (

    select
        procedure_code,
        unit_code,
        province_code,
        step_name,
        dwell_working_days
    from {{ ref('int_dossier_steps') }}
    where is_completed
        and dwell_working_days is not null

),

areas as (

    {%- call(keys, group_keys) union_by_scope(['province', 'unit']) %}
        select
            {{ keys }},
            procedure_code,
            step_name,
            cast(count(*) as {{ dbt.type_bigint() }}) as steps_completed,
            cast(sum(dwell_working_days) as {{ type_double() }}) as dwell_working_days_sum,
            {{ median('dwell_working_days') }} as median_dwell_working_days
        from steps
        {{ group_by(group_keys + ['procedure_code', 'step_name']) }}
    {%- endcall %}

),

national as (

    select
        procedure_code,
        step_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as provinces_measured,
        {{ median('median_dwell_working_days') }} as national_median_dwell_working_days
    from areas
    where scope = 'province'
        and steps_completed >= {{ var('slow_stage_min_steps') }}
    group by
        procedure_code,
        step_name

),

final as (

    select
        areas.scope,
        areas.area_code,
        areas.province_code,
        areas.procedure_code,
        areas.step_name,
        areas.steps_completed,
        areas.dwell_working_days_sum,
        {{ safe_divide('areas.dwell_working_days_sum', 'areas.steps_completed') }}
            as avg_dwell_working_days,
        areas.median_dwell_working_days,
        national.provinces_measured,
        national.national_median_dwell_working_days,
        {{ safe_divide(
            'areas.median_dwell_working_days', 'national.national_median_dwell_working_days'
        ) }} as dwell_ratio,
        coalesce(
            areas.steps_completed >= {{ var('slow_stage_min_steps') }}
            and national.provinces_measured >= {{ var('slow_stage_min_provinces') }}
            and {{ safe_divide(
                'areas.median_dwell_working_days', 'national.national_median_dwell_working_days'
            ) }} >= {{ var('slow_stage_min_ratio') }},
            false
        ) as is_slow_stage
    from areas
    left join national
        on areas.procedure_code = national.procedure_code
        and areas.step_name = national.step_name

)

select * from final
