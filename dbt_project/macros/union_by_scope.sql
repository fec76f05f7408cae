{#
    A roll-up written once and repeated per area scope (documented in _macros.yml). The
    caller block is one select; it is called once per scope, in the order given, with the
    scope's key columns (`scope`, `area_code`, optionally `unit_code`, `province_code`: a
    unit is its own area, a province its code, the nation 'VN') and the columns that scope
    groups by; the selects are joined by `union all`:

        {% call(keys, group_keys) union_by_scope(['province', 'nation']) %}
            select {{ keys }}, sum(x) as x from t {{ group_by(group_keys) }}
        {% endcall %}

    union_all(parts) is the loop itself, for unions over something other than scopes.
#}

{% macro union_all(parts) -%}
    {%- for part in parts %}
        {%- if not loop.first %}

    union all
        {% endif %}
        {{ caller(part) }}
    {%- endfor %}
{%- endmacro %}

{% macro union_by_scope(scopes, with_unit_code=false) -%}
    {%- set no_code = 'cast(null as ' ~ dbt.type_string() ~ ')' -%}
    {#- scope -> (area_code, unit_code, province_code, group keys) -#}
    {%- set areas = {
        'unit': ['unit_code', 'unit_code', 'province_code', ['unit_code', 'province_code']],
        'province': ['province_code', no_code, 'province_code', ['province_code']],
        'nation': ["'VN'", no_code, no_code, []],
    } -%}
    {%- for scope in scopes %}
        {%- set area_code, unit_code, province_code, group_keys = areas[scope] %}
        {%- if not loop.first %}

    union all
        {% endif %}
        {%- set keys -%}
            '{{ scope }}' as scope,
            {{ area_code }} as area_code,
            {%- if with_unit_code %}
            {{ unit_code }} as unit_code,
            {%- endif %}
            {{ province_code }} as province_code
        {%- endset %}
        {{ caller(keys, group_keys) }}
    {%- endfor %}
{%- endmacro %}

{% macro group_by(keys) -%}
    {%- if keys %}
    group by {{ keys | join(', ') }}
    {%- endif %}
{%- endmacro %}
