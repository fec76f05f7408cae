{#
    One long list of partial counts, to be summed by the caller: no full outer joins
    (documented in _macros.yml). Each part contributes its own measures and 0 for the others.
#}
{% macro union_partial_counts(keys, parts) %}
    {%- set measures = [] -%}
    {%- for part_measures in parts.values() -%}
        {%- for measure in part_measures -%}
            {%- if measure in measures -%}
                {{ exceptions.raise_compiler_error("union_partial_counts: measure " ~ measure ~ " is in two parts") }}
            {%- endif -%}
            {%- do measures.append(measure) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for part, part_measures in parts.items() %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {%- for measure in measures %}
        {{ measure if measure in part_measures else '0 as ' ~ measure }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ part }}
    {%- endfor %}
{% endmacro %}
