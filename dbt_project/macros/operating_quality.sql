{#
    The operating-quality index's arithmetic (docs/indicators.md G; documented in
    _macros.yml). Cross-database: sqrt, case and arithmetic only.
#}

{% macro wilson_bound(ratio, trials, side) -%}
    {#- side: -1 for the lower bound, 1 for the upper; z: var operating_quality_z -#}
    {%- set z = var('operating_quality_z') -%}
    (
        (
            ({{ ratio }}) + {{ z }} * {{ z }} / (2.0 * ({{ trials }}))
            + ({{ side }}) * {{ z }} * sqrt(
                ({{ ratio }}) * (1 - ({{ ratio }})) / ({{ trials }})
                + {{ z }} * {{ z }} / (4.0 * ({{ trials }}) * ({{ trials }}))
            )
        ) / (1 + {{ z }} * {{ z }} / ({{ trials }}))
    )
{%- endmacro %}

{% macro poisson_bound(count, side) -%}
    {#- side: -1 for the lower bound, 1 for the upper, of the mean of a Poisson count at
        var operating_quality_z: the square-root approximation (√k ∓ z/2)², the upper
        from k + 1 so that a count of 0 still has room above it -#}
    {%- set z = var('operating_quality_z') -%}
    {%- if side < 0 -%}
        (case when ({{ count }}) > 0 then
            (sqrt({{ count }}) - {{ z }} / 2.0) * (sqrt({{ count }}) - {{ z }} / 2.0)
        else 0.0 end)
    {%- else -%}
        ((sqrt(({{ count }}) + 1) + {{ z }} / 2.0) * (sqrt(({{ count }}) + 1) + {{ z }} / 2.0))
    {%- endif -%}
{%- endmacro %}

{% macro ratio_delta_variance(ratio, dossiers, x_sum, yy_sum, xx_sum, xy_sum) -%}
    {#- Var(ΣY ÷ ΣX) by the delta method (linearisation): s²(Y − R·X) ÷ (n·X̄²), the
        residuals' sample variance from the sums, Σ(Y − R·X)² = ΣY² − 2R·ΣXY + R²·ΣX², so
        Var = n · Σ(Y − R·X)² ÷ ((n − 1) · (ΣX)²). The residual sum is held at 0 or above: at
        a ratio that fits every dossier exactly, rounding can take it to −1e-15. -#}
    (
        ({{ dossiers }}) * greatest(
            ({{ yy_sum }}) - 2 * ({{ ratio }}) * ({{ xy_sum }})
            + ({{ ratio }}) * ({{ ratio }}) * ({{ xx_sum }}),
            0.0
        ) / ((({{ dossiers }}) - 1) * ({{ x_sum }}) * ({{ x_sum }}))
    )
{%- endmacro %}

{% macro ratio_delta_bound(ratio, variance, side) -%}
    {#- side: -1 for the lower bound, 1 for the upper: the normal interval R ± z·√Var at var
        operating_quality_z, the lower held at 0 (neither sum is ever negative) -#}
    {%- set z = var('operating_quality_z') -%}
    {%- if side < 0 -%}
        greatest(({{ ratio }}) - {{ z }} * sqrt({{ variance }}), 0.0)
    {%- else -%}
        (({{ ratio }}) + {{ z }} * sqrt({{ variance }}))
    {%- endif -%}
{%- endmacro %}

{% macro dossier_moments() -%}
    {#- the columns a ratio of sums over dossiers carries for its ratio_delta interval: the
        dossiers summed (n) and the sums of Y², X² and X·Y over them -#}
    {{ return(['sample_size', 'numerator_sq_sum', 'denominator_sq_sum', 'cross_product_sum']) }}
{%- endmacro %}

{% macro clamp_to_100(share) -%}
    {#- <= 0, not < 0: a value at a lower-is-better zero_at divides 0 by a negative span,
        -0.0, which compares equal to 0 but is a different value to except and distinct -#}
    case
        when ({{ share }}) <= 0 then 0.0
        when ({{ share }}) > 1 then 100.0
        else 100.0 * ({{ share }})
    end
{%- endmacro %}

{% macro percentile_score(percentile, direction, zero_at, full_at) -%}
    {#- the percent rank turned so that higher is better, then scaled from zero_at (0 when
        null) to full_at (1 when null): a criterion can stop earning above a percentile -#}
    {{ clamp_to_100(
        '((case when ' ~ direction ~ " = 'lower_is_better' then 1 - (" ~ percentile ~ ') else ('
        ~ percentile ~ ') end) - coalesce(' ~ zero_at ~ ', 0.0)) / (coalesce(' ~ full_at
        ~ ', 1.0) - coalesce(' ~ zero_at ~ ', 0.0))'
    ) }}
{%- endmacro %}

{% macro criterion_score(value, normalisation, direction, zero_at, full_at, min_value, max_value) -%}
    {#- 0–100 for the threshold and min–max rules; percentiles are ranked in the model -#}
    case
        when ({{ value }}) is null then null
        when {{ normalisation }} = 'threshold' then
            {{ clamp_to_100(
                '((' ~ value ~ ') - ' ~ zero_at ~ ') / (' ~ full_at ~ ' - ' ~ zero_at ~ ')'
            ) }}
        when {{ normalisation }} = 'minmax' and {{ max_value }} = {{ min_value }} then 100.0
        when {{ normalisation }} = 'minmax' and {{ direction }} = 'lower_is_better' then
            {{ clamp_to_100(
                '(' ~ max_value ~ ' - (' ~ value ~ ')) / (' ~ max_value ~ ' - ' ~ min_value ~ ')'
            ) }}
        when {{ normalisation }} = 'minmax' then
            {{ clamp_to_100(
                '((' ~ value ~ ') - ' ~ min_value ~ ') / (' ~ max_value ~ ' - ' ~ min_value ~ ')'
            ) }}
    end
{%- endmacro %}
