{#
    The service indicators of mart_unit_service_monthly rolled up to what the pages show:
    scope (unit | province | nation) × period (month | quarter | year | whole | since_reform)
    × period_start. since_reform: the months from the reform day (var reform_date) on, the
    months of today's units (before it a reused code was another, absorbed unit's).
    Flows (received, finished, online, processing time, ratings) add up over the months of
    a period; open dossiers are a stock, counted once, at the period's end: the last month
    with data in the period (its month end, or the data cut-off for the current month), so a
    dossier open at four month ends counts once in a quarter, a year or the whole period.
    Rates come from the summed counts through macro `service_rates`.
#}

{%- set flows = service_flow_counts().split(',') + service_index_counts().split(',') -%}
{%- set stocks = ['open_within_due', 'open_past_due'] -%}
{%- set reform_month = "cast('" ~ var('reform_date') ~ "' as date)" -%}
{#- period -> its start for a unit-month, and which unit-months it holds (none: all) -#}
{%- set periods = [
    ('month', 'unit_months.month_start', none),
    ('quarter', 'cast(' ~ dbt.date_trunc('quarter', 'unit_months.month_start') ~ ' as date)', none),
    ('year', 'cast(' ~ dbt.date_trunc('year', 'unit_months.month_start') ~ ' as date)', none),
    ('whole', 'data_months.first_month', none),
    ('since_reform', reform_month, 'unit_months.month_start >= ' ~ reform_month),
] -%}
with

unit_months as (

    select * from {{ ref('mart_unit_service_monthly') }}

),

data_months as (

    select
        min(month_start) as first_month
    from unit_months

),

unit_month_periods as (

    -- each unit-month once in each of the periods that hold it
    {%- call(period) union_all(periods) %}
        select
            '{{ period[0] }}' as period,
            {{ period[1] }} as period_start,
            unit_months.*
        from unit_months
        cross join data_months
        where {{ period[2] or 'true' }}
    {%- endcall %}

),

period_ends as (

    -- the month whose end judges a period's open dossiers: its last month with data
    select
        period,
        period_start,
        max(month_start) as period_end_month
    from unit_month_periods
    group by
        period,
        period_start

),

judged_months as (

    select
        unit_month_periods.*,
        period_ends.period_end_month
    from unit_month_periods
    inner join period_ends
        on unit_month_periods.period = period_ends.period
        and unit_month_periods.period_start = period_ends.period_start

),

rolled_up as (

    {%- call(keys, group_keys) union_by_scope(
        ['unit', 'province', 'nation'], with_unit_code=true
    ) %}
        select
            {{ keys }},
            period,
            period_start,
            period_end_month,
    {%- for flow in flows %}
                cast(sum({{ flow }}) as {{ dbt.type_bigint() }}) as {{ flow }},
    {%- endfor %}
            cast(sum(processing_days_sum) as {{ type_double() }}) as processing_days_sum,
    {%- for days in processing_days_moments() %}
            cast(sum({{ days }}) as {{ type_double() }}) as {{ days }},
    {%- endfor %}
    {%- for stock in stocks %}
            cast(
                sum(case when month_start = period_end_month then {{ stock }} else 0 end)
                as {{ dbt.type_bigint() }}
            ) as {{ stock }}{{ ',' if not loop.last }}
    {%- endfor %}
        from judged_months
        {{ group_by(group_keys + ['period', 'period_start', 'period_end_month']) }}
    {%- endcall %}

),

final as (

    select
        {{ area_period_keys() }},
        {{ service_measures() }}
    from rolled_up

)

select * from final
