{#
    The flow counts behind the service-index components and the GOV.UK view that
    service_rates does not carry (documented in _macros.yml): one list for the unit-month
    mart, which counts them, and mart_service_periods, which sums them over a period.
#}
{% macro service_index_counts() -%}
    {{ return([
        'synced_numerator',
        'components_digitised_numerator',
        'data_reused_numerator',
        'dossiers_completed',
        'completed_online',
        'result_digitised_numerator',
        'complaints_received',
        'complaints_judged',
        'complaints_answered_on_time',
    ]) }}
{%- endmacro %}
