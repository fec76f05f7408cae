{#
    The service indicators on today's units, the twelve months before the reform against the
    twelve after it, on the same footing. A month before the reform is recorded under the
    codes of its time: its counts reach today's units through bridge_admin_unit_lineage,
    multiplied by the allocation weight (so restated counts may be fractional); a month after
    it is already on today's units. Flows add up over the period's months; open dossiers are a
    stock judged once, at the period's end (its last month with data), as in
    mart_service_periods. Rates come from the restated counts through macro `service_rates`.
    A before-month row under a code the bridge does not know (an old commune no merger note
    names: docs/lineage_report.md) is not restated; assert_before_after_restates_every_bridged_dossier
    checks that nothing else is lost.
#}

{%- set flows = service_flow_counts().split(',') + ['processing_days_sum'] -%}
{%- set stocks = ['open_within_due', 'open_past_due'] -%}
{%- set reform = "cast('" ~ var('reform_date') ~ "' as date)" -%}

with

unit_months as (

    select
        *,
        case when month_start < {{ reform }} then 'before' else 'after' end as period
    from {{ ref('mart_unit_service_monthly') }}
    where month_start >= {{ dbt.dateadd('month', -12, reform) }}
        and month_start < {{ dbt.dateadd('month', 12, reform) }}

),

bridge as (

    select * from {{ ref('bridge_admin_unit_lineage') }}

),

current_units as (

    select
        unit_code,
        unit_level,
        province_code
    from {{ ref('dim_admin_unit') }}

),

restated_months as (

    -- before the reform: the code of its time, through the bridge
    select
        bridge.new_unit_code as unit_code,
        unit_months.period,
        unit_months.month_start,
        bridge.allocation_weight,
    {%- for column in flows + stocks %}
        unit_months.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from unit_months
    inner join bridge
        on unit_months.unit_code = bridge.old_unit_code
    where unit_months.period = 'before'

    union all

    -- after it: already today's unit
    select
        unit_code,
        period,
        month_start,
        1.0 as allocation_weight,
    {%- for column in flows + stocks %}
        {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from unit_months
    where period = 'after'

),

period_ends as (

    -- the month whose end judges a period's open dossiers: its last month with data
    select
        period,
        min(month_start) as period_first_month,
        max(month_start) as period_end_month
    from unit_months
    group by period

),

restated as (

    select
        restated_months.unit_code,
        restated_months.period,
        period_ends.period_first_month,
        period_ends.period_end_month,
        {%- for flow in flows %}
            cast(
                sum(restated_months.{{ flow }} * restated_months.allocation_weight)
                as {{ type_double() }}
            ) as {{ flow }},
        {%- endfor %}
    {%- for stock in stocks %}
        cast(
            sum(
                case
                    when restated_months.month_start = period_ends.period_end_month
                        then restated_months.{{ stock }} * restated_months.allocation_weight
                    else 0
                end
            ) as {{ type_double() }}
        ) as {{ stock }}{{ ',' if not loop.last }}
    {%- endfor %}
    from restated_months
    inner join period_ends
        on restated_months.period = period_ends.period
    group by
        restated_months.unit_code,
        restated_months.period,
        period_ends.period_first_month,
        period_ends.period_end_month

),

absorbed as (

    -- how many old units of the level below a province (communes) or of its own level
    -- (provinces) each of today's units took, whole or in part
    select
        new_unit_code as unit_code,
        count(distinct case when old_unit_level in ('commune', 'province') then old_unit_code end)
            as old_units_absorbed
    from bridge
    group by new_unit_code

),

final as (

    select
        restated.unit_code,
        current_units.unit_level,
        current_units.province_code,
        restated.period,
        restated.period_first_month,
        restated.period_end_month,
        coalesce(absorbed.old_units_absorbed, 0) as old_units_absorbed,
        restated.dossiers_received,
        restated.dossiers_finished,
        restated.finished_early,
        restated.finished_on_time,
        restated.finished_overdue,
        restated.open_within_due,
        restated.open_past_due,
        {{ service_rates() }}
    from restated
    inner join current_units
        on restated.unit_code = current_units.unit_code
    left join absorbed
        on restated.unit_code = absorbed.unit_code

)

select * from final
