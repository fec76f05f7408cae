{#
    The Decision 766 service index per scope (commune-level unit | province | nation) ×
    period × period_start: the points of the six groups summed, the score out of 100 (the
    points earned ÷ the points available × 100: a component with no denominator in the
    period is left out rather than scored 0), ranks within the nation and the province
    among areas of the same scope and period, and the band of seeds/service_index_bands.csv.
#}

with

groups as (

    select * from {{ ref('mart_service_index_groups') }}

),

bands as (

    select * from {{ ref('service_index_bands') }}

),

totals as (

    select
        {{ area_period_keys() }},
        cast(sum(group_points) as {{ type_double() }}) as total_points,
        cast(sum(points_available) as {{ type_double() }}) as points_available,
        cast(sum(max_points) as {{ type_double() }}) as max_points
    from groups
    group by
        {{ area_period_keys() }}

),

scored as (

    select
        totals.*,
        100 * {{ safe_divide('total_points', 'points_available') }} as score
    from totals

),

banded as (

    -- the band with the highest min_score at or below the score
    select
        scored.scope,
        scored.area_code,
        scored.period,
        scored.period_start,
        bands.band_code,
        bands.band_name_vi,
        bands.band_name_en,
        row_number() over (
            partition by scored.scope, scored.area_code, scored.period, scored.period_start
            order by bands.min_score desc
        ) as band_rank
    from scored
    inner join bands
        on scored.score >= bands.min_score

),

ranked as (

    select
        scored.*,
        case
            when scored.score is not null then rank() over (
                    partition by
                        scored.scope, scored.period, scored.period_start,
                        scored.score is null
                    order by scored.score desc
                )
        end as rank_in_nation,
        count(scored.score) over (
            partition by scored.scope, scored.period, scored.period_start
        ) as ranked_in_nation,
        case
            when scored.scope = 'unit' and scored.score is not null then rank() over (
                    partition by
                        scored.scope, scored.period, scored.period_start,
                        scored.province_code, scored.score is null
                    order by scored.score desc
                )
        end as rank_in_province,
        case
            when scored.scope = 'unit' then count(scored.score) over (
                    partition by
                        scored.scope, scored.period, scored.period_start,
                        scored.province_code
                )
        end as ranked_in_province
    from scored

),

final as (

    select
        ranked.scope,
        ranked.area_code,
        ranked.unit_code,
        ranked.province_code,
        ranked.period,
        ranked.period_start,
        ranked.period_end_month,
        ranked.total_points,
        ranked.points_available,
        ranked.max_points,
        ranked.score,
        banded.band_code,
        banded.band_name_vi,
        banded.band_name_en,
        cast(ranked.rank_in_nation as {{ dbt.type_bigint() }}) as rank_in_nation,
        cast(ranked.ranked_in_nation as {{ dbt.type_bigint() }}) as ranked_in_nation,
        cast(ranked.rank_in_province as {{ dbt.type_bigint() }}) as rank_in_province,
        cast(ranked.ranked_in_province as {{ dbt.type_bigint() }}) as ranked_in_province
    from ranked
    left join banded
        on ranked.scope = banded.scope
        and ranked.area_code = banded.area_code
        and ranked.period = banded.period
        and ranked.period_start = banded.period_start
        and banded.band_rank = 1

)

select * from final
