{#
    The operating-quality index (docs/indicators.md G): one row per scope (commune-level
    unit | province) × period (quarter | year | since_reform) × period_start. Every score is a
    weighted mean of the normalised criteria of mart_operating_quality_components, the
    weights those of seeds/operating_quality_criteria.csv (a criterion with no value in the
    period is left out, its weight with it); an area is scored only when every group of the
    seed has a criterion with a value.

    Honest ranks: the composite's interval is the point less / plus the root sum of squares
    of the criteria's weighted margins (w × (normalised − normalised_lower), w ×
    (normalised_upper − normalised)) ÷ the weights: criteria counted over different
    dossiers (the seed's denominator_column) have independent sampling errors, so their
    margins add in quadrature; criteria counted over the same dossiers (on time and
    clearance: finished plus open at the period's end) err together, so theirs add in line
    first. The best rank an area could hold is that of its upper bound among the point
    scores, the worst that of its lower bound. A commune-level unit is weak when even its
    best rank is in the bottom var('operating_quality_bottom_share') of the nation, watch
    when only its point rank is. A unit with fewer than
    var('operating_quality_min_dossiers_weak') dossiers on hand is at most watch: the normal
    approximations behind the intervals do not hold over a handful of dossiers, and one
    dossier more or less would move its interval (is_weak_withheld says where this held a
    flag back). The ranks under other weightings (equal weights, each group
    left out) and their spread say how much the rank depends on the weights.
#}

{%- set groups = ['performance', 'effectiveness', 'efficiency'] -%}
{%- set bottom = var('operating_quality_bottom_share') -%}
{#- in `final`: even the unit's best rank is in the bottom share; its dossiers on hand -#}
{%- set best_rank_in_bottom =
    'nation.best_rank > ' ~ (1 - bottom) ~ ' * ranked.ranked_in_nation' -%}
{%- set on_hand = 'coalesce(on_hand.dossiers_on_hand, 0)' -%}
{%- set enough_for_weak = on_hand ~ ' >= ' ~ var('operating_quality_min_dossiers_weak') -%}
{%- set keys = ['scope', 'period', 'period_start'] -%}
{#- the seed's weights, equal weights, and each group left out -#}
{%- set weightings = [
    'composite', 'equal_weights',
    'without_performance', 'without_effectiveness', 'without_efficiency',
] -%}
{#- how far apart a unit's ranks under those weightings lie -#}
{%- set ranks = 'ranked.rank_' ~ weightings | join(', ranked.rank_') -%}
{%- set rank_spread = 'greatest(' ~ ranks ~ ') - least(' ~ ranks ~ ')' -%}
{#- the two criteria that pull the composite down most (pull_order 1, 2) -#}
{%- set reasons = ['first', 'second'] -%}

with

criteria as (

    select * from {{ ref('operating_quality_criteria') }}

),

components as (

    -- the normalised criteria, weighted and grouped by the seed
    select
        scored.scope,
        scored.area_code,
        scored.unit_code,
        scored.province_code,
        scored.period,
        scored.period_start,
        scored.period_end_month,
        scored.criterion_id,
        criteria.group_code,
        cast(criteria.weight as {{ type_double() }}) as weight,
        scored.normalised,
        scored.normalised_lower,
        scored.normalised_upper,
        -- the dossiers (or other units) the criterion is counted over
        coalesce(criteria.denominator_column, criteria.criterion_id) as counted_over
    from {{ ref('mart_operating_quality_components') }} as scored
    inner join criteria
        on scored.criterion_id = criteria.criterion_id
    where scored.normalised is not null

),

slow_stages as (

    select * from {{ ref('mart_operating_quality_slow_stages') }}

),

dossiers_on_hand as (

    -- the dossiers a unit's service criteria are counted over: finished plus open at the end
    select
        scope,
        area_code,
        period,
        period_start,
        on_time_denominator as dossiers_on_hand
    from {{ ref('mart_service_periods') }}
    where scope in ('unit', 'province')

),

counted_together as (

    -- the weighted margins of the criteria counted over the same dossiers, in line
    select
        {{ area_period_keys() }},
        counted_over,
        sum(weight * (normalised - normalised_lower)) as low_margin,
        sum(weight * (normalised_upper - normalised)) as high_margin
    from components
    group by
        {{ area_period_keys() }},
        counted_over

),

margins as (

    -- … and those sums in quadrature
    select
        scope,
        area_code,
        period,
        period_start,
        sqrt(sum(low_margin * low_margin)) as low_root,
        sqrt(sum(high_margin * high_margin)) as high_root
    from counted_together
    group by
        scope,
        area_code,
        period,
        period_start

),

seed_groups as (

    select count(distinct group_code) as groups_in_seed
    from criteria

),

weighted as (

    -- Scores kept to 9 decimals (of 0–100): a sum of doubles added up in another order (by
    -- another engine, or another plan) differs in its last bits, and two units that score
    -- the same must tie, and rank alike, on every engine (Spark ranked two such units apart).
    select
        {{ area_period_keys() }},
        count(*) as criteria_scored,
        count(distinct group_code) as groups_scored,
        sum(weight) as weight_available,
        round({{ safe_divide('sum(weight * normalised)', 'sum(weight)') }}, 9) as composite_point,
        round(avg(normalised), 9) as equal_weights_point,
    {%- for group in groups %}
        round({{ safe_divide(
                "sum(case when group_code = '" ~ group ~ "' then weight * normalised end)",
                "sum(case when group_code = '" ~ group ~ "' then weight end)"
            ) }}, 9) as {{ group }}_point,
        round({{ safe_divide(
                "sum(case when group_code <> '" ~ group ~ "' then weight * normalised end)",
                "sum(case when group_code <> '" ~ group ~ "' then weight end)"
            ) }}, 9) as without_{{ group }}_point{{ ',' if not loop.last }}
    {%- endfor %}
    from components
    group by
        {{ area_period_keys() }}

),

scored as (

    -- an area missing a whole group is not comparable with the others: no composite
    select
        weighted.scope,
        weighted.area_code,
        weighted.unit_code,
        weighted.province_code,
        weighted.period,
        weighted.period_start,
        weighted.period_end_month,
        weighted.criteria_scored,
        weighted.groups_scored,
        weighted.weight_available,
        weighted.composite_point,
        greatest(
            weighted.composite_point
            - {{ safe_divide('margins.low_root', 'weighted.weight_available') }},
            0.0
        ) as composite_low,
        least(
            weighted.composite_point
            + {{ safe_divide('margins.high_root', 'weighted.weight_available') }},
            100.0
        ) as composite_high,
        weighted.equal_weights_point,
        {%- for group in groups %}
            weighted.{{ group }}_point,
            weighted.without_{{ group }}_point,
        {%- endfor %}
        weighted.groups_scored = seed_groups.groups_in_seed as is_scored
    from weighted
    cross join seed_groups
    inner join margins
        on weighted.scope = margins.scope
        and weighted.area_code = margins.area_code
        and weighted.period = margins.period
        and weighted.period_start = margins.period_start

),

ranked as (

    select
        scored.*,
        {%- for score in weightings %}
            case when is_scored then rank() over (
                        partition by {{ keys | join(', ') }}, is_scored
                        order by {{ score }}_point desc
                    )
            end as rank_{{ score }},
        {%- endfor %}
        case when is_scored then rank() over (
                    partition by {{ keys | join(', ') }}, province_code, is_scored
                    order by composite_point desc
                )
        end as rank_composite_in_province,
        sum(case when is_scored then 1 else 0 end) over (
            partition by {{ keys | join(', ') }}
        ) as ranked_in_nation,
        sum(case when is_scored then 1 else 0 end) over (
            partition by {{ keys | join(', ') }}, province_code
        ) as ranked_in_province
    from scored

),

{#- The rank an interval bound would hold among the point scores: points, upper and lower
    bounds in one descending order, an upper bound before the points it ties and a lower
    bound after them; the points counted down to a bound are those above it (upper) or at
    or above it (lower). -#}
{%- for within, extra in [('nation', []), ('province', ['province_code'])] %}

    bound_positions_{{ within }} as (

        select
            {{ (keys + extra) | join(', ') }},
            area_code,
            kind,
            score_value,
            sum(is_point) over (
                partition by {{ (keys + extra) | join(', ') }}
                order by score_value desc, tie_order asc, area_code asc
                rows between unbounded preceding and current row
            ) as points_down_to_here
        from (
        {%- for kind, column, is_point, tie_order in [
            ('upper', 'composite_high', 0, 0),
            ('point', 'composite_point', 1, 1),
            ('lower', 'composite_low', 0, 2),
        ] %}
                select
                    {{ (keys + extra) | join(', ') }},
                    area_code,
                    '{{ kind }}' as kind,
                    {{ column }} as score_value,
                    {{ is_point }} as is_point,
                    {{ tie_order }} as tie_order
                from ranked
                where is_scored
                {%- if not loop.last %}
                    union all
                {%- endif %}
            {%- endfor %}
        ) as positions

    ),

    bound_ranks_{{ within }} as (

        select
            {{ keys | join(', ') }},
            area_code,
            min(case when kind = 'upper' then points_down_to_here + 1 end) as best_rank,
            min(case when kind = 'lower' then points_down_to_here end) as worst_rank
        from bound_positions_{{ within }}
        group by
            {{ keys | join(', ') }},
            area_code

    ),
{%- endfor %}

points_lost as (

    -- how far each criterion pulls the composite below 100
    select
        components.scope,
        components.area_code,
        components.period,
        components.period_start,
        components.criterion_id,
        components.weight * (100 - components.normalised) / weighted.weight_available
            as composite_points_lost,
        row_number() over (
            partition by
                components.scope, components.area_code, components.period,
                components.period_start
            order by
                components.weight * (100 - components.normalised) desc,
                components.criterion_id
        ) as pull_order
    from components
    inner join weighted
        on components.scope = weighted.scope
        and components.area_code = weighted.area_code
        and components.period = weighted.period
        and components.period_start = weighted.period_start

),

unit_slow_stages as (

    select
        unit_code,
        sum(case when is_slow_stage then 1 else 0 end) as slow_stages
    from slow_stages
    group by unit_code

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
        cast(ranked.criteria_scored as {{ dbt.type_bigint() }}) as criteria_scored,
        cast(ranked.groups_scored as {{ dbt.type_bigint() }}) as groups_scored,
        cast(ranked.weight_available as {{ type_double() }}) as weight_available,
        ranked.is_scored,
        {%- for group in groups %}
            cast(ranked.{{ group }}_point as {{ type_double() }}) as {{ group }}_score,
        {%- endfor %}
        cast(case when ranked.is_scored then ranked.composite_point end as {{ type_double() }})
            as composite_score,
        cast(case when ranked.is_scored then ranked.composite_low end as {{ type_double() }})
            as composite_lower,
        cast(case when ranked.is_scored then ranked.composite_high end as {{ type_double() }})
            as composite_upper,
        cast(ranked.rank_composite as {{ dbt.type_bigint() }}) as rank_in_nation,
        cast(ranked.ranked_in_nation as {{ dbt.type_bigint() }}) as ranked_in_nation,
        cast(nation.best_rank as {{ dbt.type_bigint() }}) as rank_best_in_nation,
        cast(nation.worst_rank as {{ dbt.type_bigint() }}) as rank_worst_in_nation,
        cast(
            floor(5.0 * (ranked.rank_composite - 1) / ranked.ranked_in_nation) + 1
            as {{ dbt.type_bigint() }}
        ) as quintile_in_nation,
        {#- a province's own ranking holds its commune-level units only -#}
        {%- for expression, column in [
            ('ranked.rank_composite_in_province', 'rank_in_province'),
            ('ranked.ranked_in_province', 'ranked_in_province'),
            ('province.best_rank', 'rank_best_in_province'),
            ('province.worst_rank', 'rank_worst_in_province'),
        ] %}
            cast(
                case when ranked.scope = 'unit' then {{ expression }} end
                as {{ dbt.type_bigint() }}
            ) as {{ column }},
        {%- endfor %}
        cast(case when ranked.scope = 'unit' then
                floor(5.0 * (ranked.rank_composite_in_province - 1) / ranked.ranked_in_province) + 1
        end as {{ dbt.type_bigint() }}) as quintile_in_province,
        cast(ranked.rank_equal_weights as {{ dbt.type_bigint() }}) as rank_equal_weights,
        {%- for group in groups %}
            cast(ranked.rank_without_{{ group }} as {{ dbt.type_bigint() }})
                as rank_without_{{ group }},
        {%- endfor %}
        cast(
            {{ rank_spread }}
            as {{ dbt.type_bigint() }}
        ) as rank_spread,
        coalesce(
            {{ rank_spread }} <= {{ var('operating_quality_firm_rank_spread') }},
            false
        ) as is_rank_firm,
        coalesce(
            ranked.scope = 'unit'
            and ranked.rank_composite > {{ 1 - bottom }} * ranked.ranked_in_nation,
            false
        ) as is_bottom_decile,
        cast({{ on_hand }} as {{ dbt.type_bigint() }}) as dossiers_on_hand,
        case
            when ranked.scope <> 'unit' or not ranked.is_scored then null
            when {{ best_rank_in_bottom }} and {{ enough_for_weak }} then 'weak'
            when ranked.rank_composite > {{ 1 - bottom }} * ranked.ranked_in_nation then 'watch'
        end as quality_flag,
        coalesce(
            ranked.scope = 'unit'
            and ranked.is_scored
            and {{ best_rank_in_bottom }}
            and not {{ enough_for_weak }},
            false
        ) as is_weak_withheld,
        {%- for reason in reasons %}
            {{ reason }}_reason.criterion_id as reason_{{ loop.index }}_criterion_id,
            {{ reason }}_reason_name.criterion_name_vi as reason_{{ loop.index }}_name_vi,
            {{ reason }}_reason_name.criterion_name_en as reason_{{ loop.index }}_name_en,
            cast({{ reason }}_reason.composite_points_lost as {{ type_double() }})
                as reason_{{ loop.index }}_points_lost,
        {%- endfor %}
        cast(
            case when ranked.scope = 'unit' then coalesce(unit_slow_stages.slow_stages, 0) end
            as {{ dbt.type_bigint() }}
        ) as slow_stages
    from ranked
    left join bound_ranks_nation as nation
        on ranked.scope = nation.scope
        and ranked.area_code = nation.area_code
        and ranked.period = nation.period
        and ranked.period_start = nation.period_start
    left join bound_ranks_province as province
        on ranked.scope = province.scope
        and ranked.area_code = province.area_code
        and ranked.period = province.period
        and ranked.period_start = province.period_start
    {%- for reason in reasons %}
        left join points_lost as {{ reason }}_reason
            on ranked.scope = {{ reason }}_reason.scope
            and ranked.area_code = {{ reason }}_reason.area_code
            and ranked.period = {{ reason }}_reason.period
            and ranked.period_start = {{ reason }}_reason.period_start
            and {{ reason }}_reason.pull_order = {{ loop.index }}
        left join criteria as {{ reason }}_reason_name
            on {{ reason }}_reason.criterion_id = {{ reason }}_reason_name.criterion_id
    {%- endfor %}
    left join unit_slow_stages
        on ranked.scope = 'unit'
        and ranked.area_code = unit_slow_stages.unit_code
    left join dossiers_on_hand as on_hand
        on ranked.scope = on_hand.scope
        and ranked.area_code = on_hand.area_code
        and ranked.period = on_hand.period
        and ranked.period_start = on_hand.period_start

)

select * from final
