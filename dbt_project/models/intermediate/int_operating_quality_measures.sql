{#
    The measures the operating-quality index can score (docs/indicators.md G), one row per
    scope (commune-level unit | province) × period (quarter | year | since_reform) ×
    period_start × source_model × measure_code, each with its numerator and denominator. Which measures
    exist and how each divides is written here once; which of them score, in which group,
    how they are normalised and weighted comes from seeds/operating_quality_criteria.csv only
    (joined by source_model and source_measure in mart_operating_quality_components).

    The service measures are the service index's components as they are, and the clearance
    rate from mart_service_periods; staffing and money are summed over the months of the
    period the unit existed in (stocks as staff-months), a province's as the sum over its
    commune-level units.
#}

{%- set periods = ['quarter', 'year', 'since_reform'] -%}
{#- what a unit's period is keyed and grouped by in the summing CTEs -#}
{%- set unit_period_keys = [
    'unit_code', 'province_code', 'period', 'period_start', 'period_end_month'
] -%}

{#- measure_code, numerator, denominator over the summed monthly columns -#}
{%- set capacity_measures = [
    ('staff_norm_ratio', 'headcount', 'staff_norm'),
    ('specialist_coverage', 'specialisations_filled', 'specialisations_required'),
    ('dossiers_per_staff_norm', 'dossiers_finished', 'staff_norm'),
] -%}
{%- set budget_measures = [
    ('allocated_vnd_per_resident', 'allocated_vnd', 'resident_months'),
    ('cost_per_transaction_vnd', 'recurrent_disbursed_vnd', 'dossiers_completed'),
    ('budget_execution_rate', 'disbursed_vnd', 'allocated_vnd'),
] -%}
{#- output against demand: the dossiers finished of those on hand (finished in the period
    plus open at its end), whatever the number that came in -#}
{%- set workload_measures = [
    ('clearance_rate', 'dossiers_finished', 'dossiers_on_hand'),
] -%}
{#- source_model, the CTE holding its summed columns, its measures -#}
{%- set measure_sources = [
    ('mart_unit_capacity_monthly', 'capacity', capacity_measures),
    ('fct_budget', 'budget_with_output', budget_measures),
    ('mart_service_periods', 'workload', workload_measures),
] -%}

with

service_components as (

    select * from {{ ref('mart_service_index_components') }}

),

service_periods as (

    select * from {{ ref('mart_service_periods') }}

),

capacity_months as (

    select * from {{ ref('mart_unit_capacity_monthly') }}

),

budget as (

    select * from {{ ref('fct_budget') }}

),

units as (

    select * from {{ ref('dim_admin_unit') }}
    where unit_level = 'commune'

),

unit_history as (

    select * from {{ ref('dim_admin_unit_history') }}

),

codes_before_reform as (

    select distinct unit_code
    from unit_history
    where not is_current

),

units_in_use as (

    -- from when a unit's staff and money count: a code no unit carried before the reform
    -- is a unit created on the reform day, with no roster, budget or office before it
    -- (its months before it are not months of nobody at work); a code in use before, from
    -- the first month of data
    select
        units.*,
        case when codes_before_reform.unit_code is null then current_versions.valid_from end
            as in_use_from
    from units
    inner join unit_history as current_versions
        on units.unit_code = current_versions.unit_code
        and current_versions.is_current
    left join codes_before_reform
        on units.unit_code = codes_before_reform.unit_code

),

periods as (

    -- the periods of the service data: the other sources are read over the same months
    select
        period,
        period_start,
        period_end_month
    from service_periods
    where scope = 'nation'
        and period in ({{ "'" ~ periods | join("', '") ~ "'" }})

),

unit_periods as (

    select
        units.unit_code,
        units.province_code,
        units.population,
        units.in_use_from,
        periods.period,
        periods.period_start,
        periods.period_end_month
    from units_in_use as units
    cross join periods

),

capacity as (

    select
        unit_periods.{{ unit_period_keys | join(', unit_periods.') }},
        sum(capacity_months.headcount) as headcount,
        sum(capacity_months.staff_norm) as staff_norm,
        sum(capacity_months.specialisations_filled) as specialisations_filled,
        sum(capacity_months.specialisations_required) as specialisations_required,
        sum(capacity_months.dossiers_finished) as dossiers_finished,
        sum(capacity_months.handling_staff) as handling_staff
    from unit_periods
    inner join capacity_months
        on unit_periods.unit_code = capacity_months.unit_code
        and unit_periods.period_start <= capacity_months.month_start
        and unit_periods.period_end_month >= capacity_months.month_start
        and coalesce(unit_periods.in_use_from <= capacity_months.month_start, true)
    group by unit_periods.{{ unit_period_keys | join(', unit_periods.') }}

),

unit_service as (

    select
        unit_code,
        period,
        period_start,
        dossiers_completed,
        dossiers_finished,
        on_time_denominator as dossiers_on_hand
    from service_periods
    where scope = 'unit'

),

workload as (

    -- the unit's own periods only: a province office's dossiers are not a commune's
    select
        unit_periods.{{ unit_period_keys | join(', unit_periods.') }},
        unit_service.dossiers_finished,
        unit_service.dossiers_on_hand
    from unit_periods
    inner join unit_service
        on unit_periods.unit_code = unit_service.unit_code
        and unit_periods.period = unit_service.period
        and unit_periods.period_start = unit_service.period_start

),

money as (

    select
        unit_periods.{{ unit_period_keys | join(', unit_periods.') }},
        -- residents × the months with a budget: a unit's money per resident over the
        -- months it had one, whatever their number
        max(unit_periods.population) * count(distinct budget.period_start) as resident_months,
        sum(budget.allocated_vnd) as allocated_vnd,
        sum(budget.disbursed_vnd) as disbursed_vnd,
        sum(
            case when budget.category = 'recurrent_operations' then budget.disbursed_vnd else 0 end
        ) as recurrent_disbursed_vnd
    from unit_periods
    inner join budget
        on unit_periods.unit_code = budget.unit_code
        and budget.flow = 'expenditure'
        and unit_periods.period_start <= budget.period_start
        and unit_periods.period_end_month >= budget.period_start
        and coalesce(unit_periods.in_use_from <= budget.period_start, true)
    group by unit_periods.{{ unit_period_keys | join(', unit_periods.') }}

),

budget_with_output as (

    select
        money.*,
        coalesce(unit_service.dossiers_completed, 0) as dossiers_completed
    from money
    left join unit_service
        on money.unit_code = unit_service.unit_code
        and money.period = unit_service.period
        and money.period_start = unit_service.period_start

),

unit_measures as (

    {%- for source_model, relation, measures in measure_sources %}
        {%- set last_source = loop.last %}
        {%- for code, numerator, denominator in measures %}
            select
                unit_code,
                province_code,
                period,
                period_start,
                period_end_month,
                '{{ source_model }}' as source_model,
                '{{ code }}' as measure_code,
                cast({{ numerator }} as {{ type_double() }}) as numerator,
                cast({{ denominator }} as {{ type_double() }}) as denominator
            from {{ relation }}
            {%- if not (last_source and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

),

province_measures as (

    select
        province_code,
        period,
        period_start,
        period_end_month,
        source_model,
        measure_code,
        sum(numerator) as numerator,
        sum(denominator) as denominator
    from unit_measures
    group by
        province_code,
        period,
        period_start,
        period_end_month,
        source_model,
        measure_code

),

service_measures as (

    select
        scope,
        area_code,
        unit_code,
        province_code,
        period,
        period_start,
        period_end_month,
        'mart_service_index_components' as source_model,
        component_code as measure_code,
        numerator,
        denominator,
        ratio,
        {{ dossier_moments() | join(',\n        ') }}
    from service_components
    where scope in ('unit', 'province')
        and period in ({{ "'" ~ periods | join("', '") ~ "'" }})

),

final as (

    select * from service_measures
    union all
    select
        'unit' as scope,
        unit_code as area_code,
        unit_code,
        province_code,
        period,
        period_start,
        period_end_month,
        source_model,
        measure_code,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} as ratio,
    {%- for column in dossier_moments() %}
        cast(null as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from unit_measures
    union all
    select
        'province' as scope,
        province_code as area_code,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        province_code,
        period,
        period_start,
        period_end_month,
        source_model,
        measure_code,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} as ratio,
    {%- for column in dossier_moments() %}
        cast(null as {{ type_double() }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from province_measures

)

select * from final
