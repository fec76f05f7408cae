{#
    The digital-transformation share of allocated expenditure, per province and for the
    nation × fiscal_year × level (commune, province, or all: both levels pooled).
#}

{#- each level on its own, then both pooled as level 'all' -#}
{%- set levels = [('level', ['level']), ("'all'", [])] %}

with

expenditure as (

    select * from {{ ref('mart_budget_execution') }}
    where flow = 'expenditure'

),

latest_year as (

    select
        max(fiscal_year) as fiscal_year
    from {{ ref('mart_budget_execution') }}

),

rolled_up as (

    {%- call(keys, group_keys) union_by_scope(['province', 'nation']) %}
        {%- call(level) union_all(levels) %}
            select
                {{ keys }},
                fiscal_year,
                {{ level[0] }} as level,
                cast(
                    sum(case when category = 'digital_transformation' then allocated_vnd else 0 end)
                    as {{ dbt.type_bigint() }}
                ) as digital_allocated_vnd,
                cast(sum(allocated_vnd) as {{ dbt.type_bigint() }}) as expenditure_allocated_vnd
            from expenditure
            {{ group_by(group_keys + level[1] + ['fiscal_year']) }}
        {%- endcall %}
    {%- endcall %}

),

final as (

    select
        rolled_up.scope,
        rolled_up.area_code,
        rolled_up.province_code,
        rolled_up.fiscal_year,
        rolled_up.fiscal_year = latest_year.fiscal_year as is_latest_year,
        rolled_up.level,
        rolled_up.digital_allocated_vnd,
        rolled_up.expenditure_allocated_vnd,
        {{ safe_divide('rolled_up.digital_allocated_vnd', 'rolled_up.expenditure_allocated_vnd') }}
            as digital_share
    from rolled_up
    cross join latest_year

)

select * from final
