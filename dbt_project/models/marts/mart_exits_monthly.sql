{#
    Leavers by month of leaving and exit reason, every unit in the rosters, nationally
    (sums of fct_staffing_monthly).
#}

{%- set reasons = ['early_retirement', 'resignation', 'retirement', 'transfer', 'dismissal'] %}

with

final as (

    select
        month_start,
        {%- for reason in reasons %}
            cast(sum(leavers_{{ reason }}) as {{ dbt.type_bigint() }}) as leavers_{{ reason }},
        {%- endfor %}
        cast(sum(leavers_total) as {{ dbt.type_bigint() }}) as leavers_total
    from {{ ref('fct_staffing_monthly') }}
    group by month_start

)

select * from final
