{#
    The reform's change on one row per area: each of today's units (scope unit: a province's
    own unit or a commune-level unit) and each of today's provinces (scope province: all its
    units), the twelve months before the reform beside the twelve after it, on the same
    footing (mart_unit_service_before_after: counts of before restated on today's units).
    A province's counts are the sums of its units' restated counts; its rates come from them
    through macro `service_rates`. The change is after minus before of the on-time rate; a
    unit is ranked on it only when both periods judged at least var
    `before_after_min_judged` dossiers (fewer cannot tell a change from chance).
#}

{%- set flows = service_flow_counts().split(',') + ['processing_days_sum'] -%}
{%- set stocks = ['open_within_due', 'open_past_due'] -%}
{%- set shown = [
    'dossiers_received', 'on_time_numerator', 'on_time_denominator', 'on_time_rate',
    'overdue_rate', 'avg_processing_days', 'online_share', 'satisfaction_share',
] -%}

with

unit_periods as (

    select * from {{ ref('mart_unit_service_before_after') }}

),

province_counts as (

    select
        province_code,
        period,
    {%- for column in flows + stocks %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from unit_periods
    group by
        province_code,
        period

),

province_periods as (

    select
        province_code,
        period,
        finished_early,
        finished_on_time,
        finished_overdue,
        open_within_due,
        open_past_due,
        dossiers_received,
        dossiers_finished,
        {{ service_rates() }}
    from province_counts

),

areas as (

    select
        'unit' as scope,
        unit_code as area_code,
        unit_level,
        province_code,
        old_units_absorbed,
        period,
    {%- for column in shown %}
        {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from unit_periods

    union all

    select
        'province' as scope,
        province_periods.province_code as area_code,
        'province' as unit_level,
        province_periods.province_code,
        province_units.old_units_absorbed,
        province_periods.period,
    {%- for column in shown %}
        province_periods.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from province_periods
    left join unit_periods as province_units
        on
        province_periods.province_code = province_units.unit_code
        and province_periods.period = province_units.period

),

side_by_side as (

    select
        scope,
        area_code,
        max(unit_level) as unit_level,
        max(province_code) as province_code,
        max(old_units_absorbed) as old_units_absorbed,
    {%- for column in shown %}
        max(case when period = 'before' then {{ column }} end) as {{ column }}_before,
        max(case when period = 'after' then {{ column }} end) as {{ column }}_after
        {{- ',' if not loop.last }}
    {%- endfor %}
    from areas
    group by
        scope,
        area_code

),

changed as (

    select
        *,
        on_time_rate_after - on_time_rate_before as on_time_rate_change,
        coalesce(
            on_time_denominator_before >= {{ var('before_after_min_judged') }}
            and on_time_denominator_after >= {{ var('before_after_min_judged') }},
            false
        ) as is_comparable
    from side_by_side

),

final as (

    select
        *,
        case
            when scope = 'unit' and unit_level = 'commune' and is_comparable then rank() over (
                    partition by scope, unit_level, is_comparable
                    order by on_time_rate_change desc
                )
        end as improvement_rank,
        case
            when scope = 'unit' and unit_level = 'commune' and is_comparable then rank() over (
                    partition by scope, unit_level, is_comparable
                    order by on_time_rate_change asc
                )
        end as decline_rank
    from changed

)

select * from final
