{#
    The flow counts behind the service-index components and the GOV.UK view that
    service_rates does not carry (documented in _macros.yml), as one comma-separated list
    for callers to split: the unit-month mart counts them, mart_service_periods sums them
    over a period. (A string, not a returned list: the SQL linter's templater renders macro
    calls as text.)
#}
{% macro service_index_counts() -%}
    synced_numerator,components_digitised_numerator,data_reused_numerator,dossiers_completed,completed_online,result_digitised_numerator,complaints_received,complaints_judged,complaints_answered_on_time
{%- endmacro %}
