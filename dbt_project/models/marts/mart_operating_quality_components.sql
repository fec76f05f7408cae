{#
    The operating-quality index, criterion by criterion (docs/indicators.md G): one row per
    scope (commune-level unit | province) × period (quarter | year | since_reform) × period_start ×
    criterion of seeds/operating_quality_criteria.csv, with the measure's numerator,
    denominator and ratio, its interval (the seed row's interval_method: Wilson for a rate,
    Poisson for a ratio whose numerator or denominator counts dossiers, the delta method for
    a ratio of sums over dossiers, else the ratio itself), and the three normalised to 0–100 by the seed's rule (a percentile criterion's
    bounds at the percent rank they would hold among the areas' ratios). Group, direction,
    normalisation, thresholds and weight come from the seed only: no criterion is named here.
#}

{#- one criterion of one area in one period -#}
{%- set criterion_keys = ['scope', 'area_code', 'period', 'period_start', 'criterion_id'] -%}

with

measures as (

    select * from {{ ref('int_operating_quality_measures') }}

),

criteria as (

    select * from {{ ref('operating_quality_criteria') }}

),

joined as (

    select
        measures.scope,
        measures.area_code,
        measures.unit_code,
        measures.province_code,
        measures.period,
        measures.period_start,
        measures.period_end_month,
        criteria.criterion_id,
        criteria.group_code,
        measures.source_model,
        measures.measure_code,
        measures.numerator,
        measures.denominator,
        measures.ratio,
        {%- for column in dossier_moments() %}
            measures.{{ column }},
        {%- endfor %}
        criteria.direction,
        criteria.normalisation,
        cast(criteria.zero_at as {{ type_double() }}) as zero_at,
        cast(criteria.full_at as {{ type_double() }}) as full_at,
        criteria.interval_method,
        cast(criteria.weight as {{ type_double() }}) as weight
    from measures
    inner join criteria
        on measures.source_model = criteria.source_model
        and measures.measure_code = criteria.source_measure

),

bounded as (

    -- wilson: held on the right side of the ratio, which rounding can cross at 0 and 1 (a
    -- lower bound of 1e-17 at a ratio of 0 would rank above the areas at 0);
    -- poisson_numerator: the numerator is a count of dossiers (output per input);
    -- poisson_denominator: the denominator is, at least 1 whenever there is a ratio;
    -- ratio_delta: a ratio of sums over dossiers, its spread from theirs (none below two
    -- dossiers: one says nothing of the spread, scored in final as the widest interval)
    select
        joined.*,
        case
            when interval_method = 'wilson' and denominator > 0 and ratio between 0 and 1
                then least({{ wilson_bound('ratio', 'denominator', -1) }}, ratio)
            when interval_method = 'poisson_numerator' and ratio is not null
                then {{ poisson_bound('numerator', -1) }} / denominator
            when interval_method = 'poisson_denominator' and ratio is not null
                then numerator / {{ poisson_bound('denominator', 1) }}
            when interval_method = 'ratio_delta' and ratio is not null and sample_size >= 2
                then {{ ratio_delta_bound('ratio', 'delta_variance', -1) }}
            when interval_method = 'ratio_delta' then null
            else ratio
        end as ratio_lower,
        case
            when interval_method = 'wilson' and denominator > 0 and ratio between 0 and 1
                then greatest({{ wilson_bound('ratio', 'denominator', 1) }}, ratio)
            when interval_method = 'poisson_numerator' and ratio is not null
                then {{ poisson_bound('numerator', 1) }} / denominator
            when interval_method = 'poisson_denominator' and ratio is not null
                then numerator / {{ poisson_bound('denominator', -1) }}
            when interval_method = 'ratio_delta' and ratio is not null and sample_size >= 2
                then {{ ratio_delta_bound('ratio', 'delta_variance', 1) }}
            when interval_method = 'ratio_delta' then null
            else ratio
        end as ratio_upper
    from (
        select
            joined.*,
            case
                when interval_method = 'ratio_delta' and ratio is not null and sample_size >= 2
                    then {{ ratio_delta_variance(
                        'ratio', 'sample_size', 'denominator', 'numerator_sq_sum',
                        'denominator_sq_sum', 'cross_product_sum'
                    ) }}
            end as delta_variance
        from joined
    ) as joined

),

bound_positions as (

    {#- A percentile criterion's bound scores as the share of the areas' ratios below it
        (the percent rank it would hold among them): ratios and bounds in one ascending
        order, a bound before the ratios it ties; for the ratio itself this is its percent
        rank. -#}
    select
        {{ criterion_keys | join(', ') }},
        kind,
        case
            when areas_with_ratio > 1
                then least(coalesce(ratios_below, 0) * 1.0 / (areas_with_ratio - 1), 1.0)
            else 0.0
        end as bound_percentile
    from (
        select
            positions.*,
            sum(is_ratio) over (
                partition by scope, period, period_start, criterion_id
                order by position_value asc, is_ratio asc
                rows between unbounded preceding and 1 preceding
            ) as ratios_below,
            sum(is_ratio) over (
                partition by scope, period, period_start, criterion_id
            ) as areas_with_ratio
        from (
        {%- for kind, column, is_ratio in [
            ('ratio', 'ratio', 1), ('lower', 'ratio_lower', 0), ('upper', 'ratio_upper', 0),
        ] %}
                select
                    {{ criterion_keys | join(', ') }},
                    '{{ kind }}' as kind,
                    {{ column }} as position_value,
                    {{ is_ratio }} as is_ratio
                from bounded
                where normalisation = 'percentile' and {{ column }} is not null
                {%- if not loop.last %}
                    union all
                {%- endif %}
            {%- endfor %}
        ) as positions
    ) as counted
    where kind <> 'ratio'

),

bound_percentiles as (

    select
        {{ criterion_keys | join(', ') }},
        max(case when kind = 'lower' then bound_percentile end) as lower_percentile,
        max(case when kind = 'upper' then bound_percentile end) as upper_percentile
    from bound_positions
    group by {{ criterion_keys | join(', ') }}

),

placed as (

    select
        bounded.*,
        bound_percentiles.lower_percentile,
        bound_percentiles.upper_percentile
    from bounded
    left join bound_percentiles
        on
        {%- for key in criterion_keys %}
            {{ 'and ' if not loop.first }}bounded.{{ key }} = bound_percentiles.{{ key }}
        {%- endfor %}

),

ranged as (

    -- the period's spread of each criterion among areas of the same scope
    select
        placed.*,
        min(ratio) over (
            partition by scope, period, period_start, criterion_id
        ) as min_ratio,
        max(ratio) over (
            partition by scope, period, period_start, criterion_id
        ) as max_ratio,
        case
            when ratio is not null then percent_rank() over (
                    partition by scope, period, period_start, criterion_id, ratio is null
                    order by ratio
                )
        end as ratio_percentile
    from placed

),

scored as (

    select
        ranged.*,
    {%- for value, percentile, column in [
        ('ratio', 'ratio_percentile', 'normalised'),
        ('ratio_lower', 'lower_percentile', 'score_at_lower'),
        ('ratio_upper', 'upper_percentile', 'score_at_upper'),
    ] %}
        case
            when normalisation = 'percentile' then {{ percentile_score(
                    percentile, 'direction', 'zero_at', 'full_at'
                ) }}
            else {{ criterion_score(
                    value, 'normalisation', 'direction', 'zero_at', 'full_at',
                    'min_ratio', 'max_ratio'
                ) }}
        end as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from ranged

),

final as (

    select
        scope,
        area_code,
        unit_code,
        province_code,
        period,
        period_start,
        period_end_month,
        criterion_id,
        group_code,
        source_model,
        measure_code,
        numerator,
        denominator,
        ratio,
        ratio_lower,
        ratio_upper,
        direction,
        normalisation,
        zero_at,
        full_at,
        interval_method,
        weight,
        cast(normalised as {{ type_double() }}) as normalised,
        -- a ratio without an interval (ratio_delta under two dossiers) could lie anywhere:
        -- the widest the normalisation allows, 0–100, so the unit's margin on it is the
        -- largest, never nil (null bounds would drop out of the composite's margins)
        cast(case
            when ratio is not null and ratio_lower is null then 0.0
            when score_at_lower < score_at_upper then score_at_lower
            else score_at_upper
        end as {{ type_double() }}) as normalised_lower,
        cast(case
            when ratio is not null and ratio_upper is null then 100.0
            when score_at_lower < score_at_upper then score_at_upper
            else score_at_lower
        end as {{ type_double() }}) as normalised_upper
    from scored

)

select * from final
