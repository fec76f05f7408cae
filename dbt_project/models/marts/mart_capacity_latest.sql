{#
    Staffing, specialist coverage and benefits of commune-level units at each province's
    latest roster month (a province that reported late is not mixed with an older month),
    per province and for the nation (every province at its own latest month). Counts are
    summed over units, rates taken from the sums through `safe_divide`.
#}

with

capacity as (

    select * from {{ ref('mart_unit_capacity_monthly') }}

),

latest as (

    {{ latest_month_of_province('capacity') }}

),

rolled_up as (

    {%- call(keys, group_keys) union_by_scope(['province', 'nation']) %}
        select
            {{ keys }},
            min(first_month) as first_month,
            max(month_start) as month_start,
            cast(count(*) as {{ dbt.type_bigint() }}) as units,
            cast(sum(population) as {{ dbt.type_bigint() }}) as population,
            cast(sum(headcount) as {{ dbt.type_bigint() }}) as headcount,
            cast(sum(staff_norm) as {{ dbt.type_bigint() }}) as staff_norm,
            cast(
                sum(
                    case when staff_norm_gap is not null then 1 else 0 end
                ) as {{ dbt.type_bigint() }}
            )
                as units_with_norm,
            cast(sum(case when headcount < staff_norm then 1 else 0 end) as {{ dbt.type_bigint() }})
                as units_below_norm,
            cast(sum(specialisations_filled) as {{ dbt.type_bigint() }}) as specialisations_filled,
            cast(sum(specialisations_required) as {{ dbt.type_bigint() }})
                as specialisations_required,
            cast(
                sum(case when specialisations_filled < specialisations_required then 1 else 0 end)
                as {{ dbt.type_bigint() }}
            ) as units_incomplete,
            cast(sum(benefits_due_since_reform_vnd) as {{ dbt.type_bigint() }})
                as benefits_due_since_reform_vnd,
            cast(sum(benefits_paid_since_reform_vnd) as {{ dbt.type_bigint() }})
                as benefits_paid_since_reform_vnd,
            cast(sum(benefit_settled_leavers) as {{ dbt.type_bigint() }})
                as benefit_settled_leavers,
            cast(sum(benefit_delay_months_sum) as {{ dbt.type_bigint() }})
                as benefit_delay_months_sum
        from latest
        {{ group_by(group_keys) }}
    {%- endcall %}

),

final as (

    select
        scope,
        area_code,
        province_code,
        first_month,
        month_start,
        units,
        population,
        headcount,
        staff_norm,
        {{ safe_divide('headcount * 10000', 'population') }} as staff_per_10k_residents,
        {{ safe_divide('staff_norm * 10000', 'population') }} as staff_norm_per_10k_residents,
        {{ safe_divide('headcount', 'staff_norm') }} as headcount_to_norm,
        units_with_norm,
        units_below_norm,
        specialisations_filled,
        specialisations_required,
        {{ safe_divide('specialisations_filled', 'specialisations_required') }}
            as specialist_coverage,
        units_incomplete,
        {{ safe_divide('units_incomplete', 'units') }} as incomplete_share,
        benefits_due_since_reform_vnd,
        benefits_paid_since_reform_vnd,
        {{ safe_divide('benefits_paid_since_reform_vnd', 'benefits_due_since_reform_vnd') }}
            as benefit_payment_ratio,
        benefit_settled_leavers,
        benefit_delay_months_sum,
        {{ safe_divide('benefit_delay_months_sum', 'benefit_settled_leavers') }}
            as benefit_delay_months_avg
    from rolled_up
    where units > 0

)

select * from final
