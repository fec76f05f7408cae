{#
    The procedure-log event types that are complaints and feedback about a dossier, not steps
    of its processing (documented in _macros.yml): staging keeps them out of the lifecycle
    events and gives them their own model, so the dossier clock never sees them.
#}
{% macro feedback_event_types() -%}
    ('complaint_received', 'complaint_answered')
{%- endmacro %}
