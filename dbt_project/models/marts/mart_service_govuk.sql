{#
    The GOV.UK service KPIs (docs/indicators.md B) for the same areas and periods as the
    service index: commune-level units, provinces and the nation × month | quarter | year |
    whole. Counts come from mart_service_periods; spending from fct_budget. Cost per
    transaction = commune recurrent spending (disbursed, category recurrent_operations, level
    commune) in the period's months ÷ dossiers completed by commune-level units in them.
#}

with

service_periods as (

    select * from {{ ref('mart_service_periods') }}

),

units as (

    select * from {{ ref('dim_admin_unit') }}

),

budget as (

    select * from {{ ref('fct_budget') }}

),

areas as (

    select
        service_periods.*,
        units.unit_level
    from service_periods
    left join units
        on service_periods.unit_code = units.unit_code
    where service_periods.scope <> 'unit'
        or units.unit_level = 'commune'

),

commune_spending as (

    select
        unit_code,
        province_code,
        period_start as month_start,
        sum(disbursed_vnd) as recurrent_spending_vnd
    from budget
    where flow = 'expenditure'
        and category = 'recurrent_operations'
        and level = 'commune'
    group by
        unit_code,
        province_code,
        period_start

),

period_spending as (

    -- the commune spending of the months a period covers (period_start to its last data
    -- month); one equi-join per scope, so no scope compares every area with every month
    {%- set scope_keys = [('unit', 'unit_code'), ('province', 'province_code'), ('nation', none)] %}
    {%- for scope, key in scope_keys %}
        {%- if not loop.first %}

            union all
        {% endif %}
        select
            areas.scope,
            areas.area_code,
            areas.period,
            areas.period_start,
            sum(commune_spending.recurrent_spending_vnd) as recurrent_spending_vnd
        from areas
        inner join commune_spending
            on
            {%- if key %}
                commune_spending.{{ key }} = areas.{{ key }}
                and
            {%- endif %}
            areas.period_start <= commune_spending.month_start
            and areas.period_end_month >= commune_spending.month_start
        where areas.scope = '{{ scope }}'
        group by
            areas.scope,
            areas.area_code,
            areas.period,
            areas.period_start
    {%- endfor %}

),

commune_units as (

    select * from areas
    where scope = 'unit'

),

commune_completed as (

    -- the cost denominator of a province and the nation: completed at commune-level units
    select
        'province' as scope,
        province_code as area_code,
        period,
        period_start,
        sum(dossiers_completed) as commune_dossiers_completed
    from commune_units
    group by
        province_code,
        period,
        period_start

    union all

    select
        'nation' as scope,
        'VN' as area_code,
        period,
        period_start,
        sum(dossiers_completed) as commune_dossiers_completed
    from commune_units
    group by
        period,
        period_start

    union all

    select
        'unit' as scope,
        area_code,
        period,
        period_start,
        dossiers_completed as commune_dossiers_completed
    from commune_units

),

final as (

    select
        areas.scope,
        areas.area_code,
        areas.unit_code,
        areas.province_code,
        areas.period,
        areas.period_start,
        areas.period_end_month,
        areas.dossiers_received,
        areas.dossiers_finished,
        areas.dossiers_completed,
        areas.completed_online,
        {{ safe_divide('areas.completed_online', 'areas.dossiers_completed') }} as digital_take_up,
        areas.dossiers_completed as completion_numerator,
        areas.dossiers_finished as completion_denominator,
        {{ safe_divide('areas.dossiers_completed', 'areas.dossiers_finished') }} as completion_rate,
        areas.satisfaction_high,
        areas.satisfaction_rated,
        areas.satisfaction_share,
        cast(
            coalesce(period_spending.recurrent_spending_vnd, 0) as {{ dbt.type_bigint() }}
        ) as recurrent_spending_vnd,
        cast(
            coalesce(commune_completed.commune_dossiers_completed, 0) as {{ dbt.type_bigint() }}
        ) as commune_dossiers_completed,
        {{ safe_divide(
            'coalesce(period_spending.recurrent_spending_vnd, 0)',
            'commune_completed.commune_dossiers_completed'
        ) }} as cost_per_transaction_vnd
    from areas
    left join period_spending
        on areas.scope = period_spending.scope
        and areas.area_code = period_spending.area_code
        and areas.period = period_spending.period
        and areas.period_start = period_spending.period_start
    left join commune_completed
        on areas.scope = commune_completed.scope
        and areas.area_code = commune_completed.area_code
        and areas.period = commune_completed.period
        and areas.period_start = commune_completed.period_start

)

select * from final
