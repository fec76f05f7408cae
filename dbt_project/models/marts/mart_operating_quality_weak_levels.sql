{#
    Weak levels (docs/indicators.md G): one row per province × period × period_start, its
    commune-level units counted by their operating-quality flag, and whether more of them
    sit in the nation's bottom share (var operating_quality_bottom_share) than chance would
    put there. Under chance each ranked unit lands there with probability p = that share:
    the one-sided z of the count k among n units, with continuity correction,
    (k − 0.5 − n·p) ÷ √(n·p·(1 − p)) (the normal approximation of the binomial test), is
    compared with var operating_quality_weak_level_z.
#}

{%- set share = var('operating_quality_bottom_share') -%}

with

index as (

    select * from {{ ref('mart_operating_quality') }}
    where scope = 'unit'
        and is_scored

),

counted as (

    select
        province_code,
        period,
        period_start,
        period_end_month,
        count(*) as units_ranked,
        sum(case when is_bottom_decile then 1 else 0 end) as units_bottom_decile,
        sum(case when quality_flag = 'weak' then 1 else 0 end) as units_weak,
        sum(case when quality_flag = 'watch' then 1 else 0 end) as units_watch
    from index
    group by
        province_code,
        period,
        period_start,
        period_end_month

),

final as (

    select
        province_code,
        period,
        period_start,
        period_end_month,
        cast(units_ranked as {{ dbt.type_bigint() }}) as units_ranked,
        cast(units_bottom_decile as {{ dbt.type_bigint() }}) as units_bottom_decile,
        cast(units_weak as {{ dbt.type_bigint() }}) as units_weak,
        cast(units_watch as {{ dbt.type_bigint() }}) as units_watch,
        {{ safe_divide('units_bottom_decile', 'units_ranked') }} as bottom_decile_share,
        cast({{ share }} * units_ranked as {{ type_double() }}) as expected_bottom_decile,
        cast(
            (units_bottom_decile - 0.5 - {{ share }} * units_ranked)
            / sqrt({{ share }} * {{ 1 - share }} * units_ranked)
            as {{ type_double() }}
        ) as excess_z,
        (units_bottom_decile - 0.5 - {{ share }} * units_ranked)
        / sqrt({{ share }} * {{ 1 - share }} * units_ranked)
        >= {{ var('operating_quality_weak_level_z') }} as is_weak_level
    from counted

)

select * from final
