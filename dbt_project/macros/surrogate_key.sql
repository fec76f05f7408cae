{#
    A stable hash of several columns, built on dbt's cross-database `dbt.concat` and `dbt.hash`
    (no dbt_utils). Nulls become a sentinel so that (a, null) and (null, a) differ, and a
    separator keeps ('ab', 'c') apart from ('a', 'bc').
#}
{% macro surrogate_key(field_list) -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- do parts.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
