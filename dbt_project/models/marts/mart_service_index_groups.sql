{#
    The six groups of the Decision 766 service index side by side: one row per scope ×
    period × period_start × group of the points seed, the points its scored components
    earned out of the points of those that could be scored (a component with no
    denominator in the period is not scored, and its points are not available).
#}

with

components as (

    select * from {{ ref('mart_service_index_components') }}
    where is_scored

),

final as (

    select
        {{ area_period_keys() }},
        group_code,
        cast(sum(points) as {{ type_double() }}) as group_points,
        cast(
            sum(case when points is not null then max_points else 0 end)
            as {{ type_double() }}
        ) as points_available,
        cast(sum(max_points) as {{ type_double() }}) as max_points,
        {{ safe_divide(
            'sum(points)',
            'sum(case when points is not null then max_points else 0 end)'
        ) }} as group_share
    from components
    group by
        {{ area_period_keys() }},
        group_code

)

select * from final
