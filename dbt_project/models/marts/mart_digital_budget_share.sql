{#
    The digital-transformation share of allocated expenditure, per province and for the
    nation × fiscal_year × level (commune, province, or all: both levels pooled).
#}

{%- set scopes = {
    'province': ['province_code', 'province_code', ['province_code']],
    'nation': ["'VN'", 'cast(null as ' ~ dbt.type_string() ~ ')', []],
} %}
{%- set levels = {'level': 'level', 'all': "'all'"} %}

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

    {%- set first = namespace(part=true) %}
    {%- for scope, (area_code, province_code, keys) in scopes.items() %}
    {%- for level_key, level in levels.items() %}
    {%- if not first.part %}

    union all
    {% endif %}
    {%- set first.part = false %}
    select
        '{{ scope }}' as scope,
        {{ area_code }} as area_code,
        {{ province_code }} as province_code,
        fiscal_year,
        {{ level }} as level,
        cast(
            sum(case when category = 'digital_transformation' then allocated_vnd else 0 end)
            as {{ dbt.type_bigint() }}
        ) as digital_allocated_vnd,
        cast(sum(allocated_vnd) as {{ dbt.type_bigint() }}) as expenditure_allocated_vnd
    from expenditure
    group by
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- if level_key == 'level' %}
        level,
        {%- endif %}
        fiscal_year
    {%- endfor %}
    {%- endfor %}

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
