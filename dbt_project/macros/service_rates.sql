{#
    The service indicators' derived columns from their base counts (documented in
    _macros.yml): the on-time and overdue numerators over one denominator, and every share.
    One definition for the unit-month mart and its roll-ups.
#}
{% macro service_rates() -%}
        finished_early + finished_on_time + open_within_due as on_time_numerator,
        finished_overdue + open_past_due as overdue_numerator,
        dossiers_finished + open_within_due + open_past_due as on_time_denominator,
        {{ safe_divide(
            'finished_early + finished_on_time + open_within_due',
            'dossiers_finished + open_within_due + open_past_due'
        ) }} as on_time_rate,
        {{ safe_divide(
            'finished_overdue + open_past_due',
            'dossiers_finished + open_within_due + open_past_due'
        ) }} as overdue_rate,
        full_online_numerator,
        full_online_denominator,
        {{ safe_divide('full_online_numerator', 'full_online_denominator') }} as full_online_share,
        online_payment_numerator,
        online_payment_denominator,
        {{ safe_divide('online_payment_numerator', 'online_payment_denominator') }} as online_payment_share,
        online_numerator,
        {{ safe_divide('online_numerator', 'dossiers_received') }} as online_share,
        processing_days_sum,
        processing_days_count,
        {{ safe_divide('processing_days_sum', 'processing_days_count') }} as avg_processing_days,
        satisfaction_high,
        satisfaction_rated,
        {{ safe_divide('satisfaction_high', 'satisfaction_rated') }} as satisfaction_share
{%- endmacro %}

{#
    The measure columns of the service marts after their keys, in their contracts' order
    (documented in _macros.yml): the unit-month mart and its period roll-up select the same.
#}
{% macro service_measures() -%}
        dossiers_received,
        dossiers_finished,
        finished_early,
        finished_on_time,
        finished_overdue,
        open_within_due,
        open_past_due,
        {{ service_rates() }},
        {%- for count in service_index_counts().split(',') %}
        {{ count }},
        {%- endfor %}
        {{ processing_days_moments() | join(',\n        ') }}
{%- endmacro %}

{#
    The working days promised to the completed dossiers and the second moments of days
    taken (Y) and promised (X) over them (ΣX, ΣY², ΣX², ΣXY; documented in _macros.yml):
    they add up over months and areas like the counts, and give the processing-time ratio
    its interval (macro ratio_delta_variance).
#}
{% macro processing_days_moments() -%}
    {{ return([
        'promised_days_sum',
        'processing_days_sq_sum',
        'promised_days_sq_sum',
        'processing_promised_days_sum',
    ]) }}
{%- endmacro %}
