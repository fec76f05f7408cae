{#
    The operating-quality index, criterion by criterion (docs/indicators.md G): one row per
    scope (commune-level unit | province) × period (quarter | year | whole) × period_start ×
    criterion of seeds/operating_quality_criteria.csv, with the measure's numerator,
    denominator and ratio, its interval (Wilson for criteria whose seed row says so, else the
    ratio itself), and the three normalised to 0–100 by the seed's rule. Group, direction,
    normalisation, thresholds and weight come from the seed only: no criterion is named here.
#}

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

    select
        joined.*,
        case
            when interval_method = 'wilson' and denominator > 0 and ratio between 0 and 1
                then {{ wilson_bound('ratio', 'denominator', -1) }}
            else ratio
        end as ratio_lower,
        case
            when interval_method = 'wilson' and denominator > 0 and ratio between 0 and 1
                then {{ wilson_bound('ratio', 'denominator', 1) }}
            else ratio
        end as ratio_upper
    from joined

),

ranged as (

    -- the period's spread of each criterion among areas of the same scope
    select
        bounded.*,
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
    from bounded

),

scored as (

    select
        ranged.*,
        case
            when normalisation = 'percentile' and direction = 'lower_is_better'
                then 100.0 * (1 - ratio_percentile)
            when normalisation = 'percentile' then 100.0 * ratio_percentile
            else {{ criterion_score(
                'ratio', 'normalisation', 'direction', 'zero_at', 'full_at', 'min_ratio', 'max_ratio'
            ) }}
        end as normalised,
        {{ criterion_score(
            'ratio_lower', 'normalisation', 'direction', 'zero_at', 'full_at', 'min_ratio', 'max_ratio'
        ) }} as score_at_lower,
        {{ criterion_score(
            'ratio_upper', 'normalisation', 'direction', 'zero_at', 'full_at', 'min_ratio', 'max_ratio'
        ) }} as score_at_upper
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
        -- a percentile criterion carries no interval: its bounds are its value
        cast(case
            when normalisation = 'percentile' then normalised
            when score_at_lower < score_at_upper then score_at_lower
            else score_at_upper
        end as {{ type_double() }}) as normalised_lower,
        cast(case
            when normalisation = 'percentile' then normalised
            when score_at_lower < score_at_upper then score_at_upper
            else score_at_lower
        end as {{ type_double() }}) as normalised_upper
    from scored

)

select * from final
