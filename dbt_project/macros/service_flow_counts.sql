{#
    The dossier counts of mart_unit_service_monthly that add up over months (flows, as
    opposed to the month-end open stocks), as one comma list (documented in _macros.yml): the
    roll-ups that sum them (mart_service_periods, mart_unit_service_before_after) read it
    with `.split(',')`, a form sqlfluff's templater renders too.
#}
{% macro service_flow_counts() -%}
    dossiers_received,dossiers_finished,finished_early,finished_on_time,finished_overdue,full_online_numerator,full_online_denominator,online_payment_numerator,online_payment_denominator,online_numerator,processing_days_count,satisfaction_high,satisfaction_rated
{%- endmacro %}
