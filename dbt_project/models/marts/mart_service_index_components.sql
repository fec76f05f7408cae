{#
    The Decision 766 service index, component by component (docs/indicators.md A): one row
    per scope (commune-level unit | province | nation) × period × period_start × component,
    with its numerator, denominator and ratio, and, for the components the points seed
    scores, their points (macro `index_points`). Which components exist and how each divides
    is written here once; which of them score, their group, maximum and threshold come from
    seeds/service_index_points.csv only.
#}

{#- code, group, numerator, denominator (a ratio of the two, unless a ratio is given) -#}
{%- set components = [
    ('synced_share', 'transparency', 'synced_numerator', 'dossiers_received', none),
    ('on_time_rate', 'progress', 'on_time_numerator', 'on_time_denominator', none),
    ('processing_time_ratio', 'progress', 'processing_days_sum', 'promised_days_sum', none),
    ('avg_processing_days', 'progress', 'processing_days_sum', 'processing_days_count', none),
    ('full_online_share', 'online_service', 'full_online_numerator', 'full_online_denominator', none),
    ('online_payment_share', 'online_payment', 'online_payment_numerator', 'online_payment_denominator', none),
    ('result_digitised_share', 'digitisation', 'result_digitised_numerator', 'dossiers_completed', none),
    ('components_digitised_share', 'digitisation', 'components_digitised_numerator', 'dossiers_received', none),
    ('data_reused_share', 'digitisation', 'data_reused_numerator', 'dossiers_received', none),
    ('overdue_rate', 'satisfaction', 'overdue_numerator', 'on_time_denominator', none),
    ('complaint_rate', 'satisfaction', 'complaints_received', 'dossiers_received', none),
    ('handling_satisfaction', 'satisfaction', none, none,
        '1 - ' ~ safe_divide('overdue_numerator', 'on_time_denominator')
        ~ ' - coalesce(' ~ safe_divide('complaints_received', 'dossiers_received') ~ ', 0)'),
    ('feedback_on_time_share', 'satisfaction', 'complaints_answered_on_time', 'complaints_judged', none),
] -%}
{#- a ratio of sums over dossiers: code -> the dossiers summed and the second moments of
    their numerator (Y) and denominator (X) values, ΣY², ΣX², ΣXY (the spread the
    operating-quality index's ratio_delta interval needs); other components carry none -#}
{%- set moment_sums = {
    'processing_time_ratio': (
        'processing_days_count', 'processing_days_sq_sum', 'promised_days_sq_sum',
        'processing_promised_days_sum'
    ),
} -%}

with

service_periods as (

    select * from {{ ref('mart_service_periods') }}

),

units as (

    select * from {{ ref('dim_admin_unit') }}

),

points as (

    select * from {{ ref('service_index_points') }}

),

scored_areas as (

    -- units: commune-level only (the province's own office counts in its province)
    select service_periods.*
    from service_periods
    left join units
        on service_periods.unit_code = units.unit_code
    where service_periods.scope <> 'unit'
        or units.unit_level = 'commune'

),

components as (

    {%- for code, group, numerator, denominator, ratio in components %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            {{ area_period_keys() }},
            '{{ code }}' as component_code,
            '{{ group }}' as component_group,
            {%- if numerator is none %}
                cast(null as {{ type_double() }}) as numerator,
                cast(null as {{ type_double() }}) as denominator,
            {%- else %}
                cast({{ numerator }} as {{ type_double() }}) as numerator,
                cast({{ denominator }} as {{ type_double() }}) as denominator,
            {%- endif %}
            {%- set moments = moment_sums.get(code) %}
            {%- for column in dossier_moments() %}
                cast({{ moments[loop.index0] if moments else 'null' }} as {{ type_double() }})
                    as {{ column }},
            {%- endfor %}
            {%- if ratio is none %}
                {{ safe_divide(numerator, denominator) }} as ratio
            {%- else %}
                -- 100% − (overdue rate + complaint rate), never below 0
                case when ({{ ratio }}) < 0 then 0 else ({{ ratio }}) end as ratio
            {%- endif %}
        from scored_areas
    {%- endfor %}

),

final as (

    select
        components.scope,
        components.area_code,
        components.unit_code,
        components.province_code,
        components.period,
        components.period_start,
        components.period_end_month,
        components.component_code,
        coalesce(points.group_code, components.component_group) as group_code,
        components.numerator,
        components.denominator,
        components.ratio,
        {%- for column in dossier_moments() %}
            components.{{ column }},
        {%- endfor %}
        points.indicator_code is not null as is_scored,
        cast(points.max_points as {{ type_double() }}) as max_points,
        cast(points.full_points_at as {{ type_double() }}) as full_points_at,
        points.direction,
        cast(
            {{ index_points(
                'components.ratio',
                'points.max_points',
                'points.full_points_at',
                'points.direction'
            ) }} as {{ type_double() }}
        ) as points
    from components
    left join points
        on components.component_code = points.indicator_code

)

select * from final
