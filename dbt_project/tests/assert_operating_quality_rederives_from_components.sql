-- Every composite and group score of mart_operating_quality is the weighted mean of the
-- stored normalised criteria of mart_operating_quality_components under the stored weights,
-- and the composite's interval the root sum of squares of the criteria's weighted margins,
-- those counted over the same dossiers (the seed's denominator_column) summed first
-- (docs/indicators.md G): returns the areas where a re-derived score or bound differs.
with

components as (

    select
        components.*,
        coalesce(criteria.denominator_column, criteria.criterion_id) as counted_over
    from {{ ref('mart_operating_quality_components') }} as components
    inner join {{ ref('operating_quality_criteria') }} as criteria
        on components.criterion_id = criteria.criterion_id
    where components.normalised is not null

),

counted_together as (

    select
        scope,
        area_code,
        period,
        period_start,
        counted_over,
        sum(weight * (normalised - normalised_lower)) as low_margin,
        sum(weight * (normalised_upper - normalised)) as high_margin
    from components
    group by
        scope,
        area_code,
        period,
        period_start,
        counted_over

),

margins as (

    select
        scope,
        area_code,
        period,
        period_start,
        sqrt(sum(power(low_margin, 2))) as low_root,
        sqrt(sum(power(high_margin, 2))) as high_root
    from counted_together
    group by
        scope,
        area_code,
        period,
        period_start

),

points as (

    select
        scope,
        area_code,
        period,
        period_start,
        sum(weight) as weights,
        sum(weight * normalised) / sum(weight) as composite_score,
        {%- for group in ['performance', 'effectiveness', 'efficiency'] %}
            sum(case when group_code = '{{ group }}' then weight * normalised end)
            / sum(case when group_code = '{{ group }}' then weight end) as {{ group }}_score
            {{- ',' if not loop.last }}
        {%- endfor %}
    from components
    group by
        scope,
        area_code,
        period,
        period_start

),

rederived as (

    -- the bounds: the point less / plus the root sum of squares of the weighted margins,
    -- within 0–100
    select
        points.*,
        greatest(points.composite_score - margins.low_root / points.weights, 0)
            as composite_lower,
        least(points.composite_score + margins.high_root / points.weights, 100)
            as composite_upper
    from points
    inner join margins
        on points.scope = margins.scope
        and points.area_code = margins.area_code
        and points.period = margins.period
        and points.period_start = margins.period_start

),

stored as (

    select * from {{ ref('mart_operating_quality') }}
    where is_scored

)

select
    stored.scope,
    stored.area_code,
    stored.period,
    stored.period_start,
    stored.composite_score,
    rederived.composite_score as rederived_composite_score
from stored
left join rederived
    on stored.scope = rederived.scope
    and stored.area_code = rederived.area_code
    and stored.period = rederived.period
    and stored.period_start = rederived.period_start
where rederived.area_code is null
    {%- for column in ['composite_score', 'composite_lower', 'composite_upper', 'performance_score', 'effectiveness_score', 'efficiency_score'] %}
        or abs(stored.{{ column }} - rederived.{{ column }}) > 1e-6
    {%- endfor %}
