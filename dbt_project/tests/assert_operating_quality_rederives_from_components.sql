-- Every composite and group score of mart_operating_quality is the weighted mean of the
-- stored normalised criteria of mart_operating_quality_components under the stored weights,
-- and the composite's interval the root sum of squares of the criteria's weighted margins
-- (docs/indicators.md G): returns the areas where a re-derived score or bound differs.
with

components as (

    select * from {{ ref('mart_operating_quality_components') }}
    where normalised is not null

),

rederived as (

    select
        scope,
        area_code,
        period,
        period_start,
        sum(weight * normalised) / sum(weight) as composite_score,
        -- the bounds: the point less / plus the root sum of squares of the weighted
        -- criteria's margins (independent errors), within 0–100
        greatest(
            sum(weight * normalised) / sum(weight)
            - sqrt(sum(power(weight * (normalised - normalised_lower), 2))) / sum(weight),
            0
        ) as composite_lower,
        least(
            sum(weight * normalised) / sum(weight)
            + sqrt(sum(power(weight * (normalised_upper - normalised), 2))) / sum(weight),
            100
        ) as composite_upper,
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
