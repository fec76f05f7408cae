{#
    Leavers since var reform_date by exit reason, nationally, with each reason's share of
    all of them (every reason has a row, 0 when nobody left for it).
#}

{%- set reasons = ['early_retirement', 'resignation', 'retirement', 'transfer', 'dismissal'] %}

with

since_reform as (

    select * from {{ ref('fct_staffing_monthly') }}
    where month_start >= cast('{{ var("reform_date") }}' as date)

),

by_reason as (

    {%- call(reason) union_all(reasons) %}
        select
            '{{ reason }}' as exit_reason,
            cast(coalesce(sum(leavers_{{ reason }}), 0) as {{ dbt.type_bigint() }}) as leavers
        from since_reform
    {%- endcall %}

),

final as (

    select
        exit_reason,
        leavers,
        cast(sum(leavers) over () as {{ dbt.type_bigint() }}) as leavers_total,
        {{ safe_divide('leavers', 'sum(leavers) over ()') }} as share
    from by_reason

)

select * from final
