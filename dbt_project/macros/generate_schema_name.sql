{#
    Use the custom schema name as it is (`staging`, `marts`, ...), never prefixed with the
    target schema (`main_staging`): every consumer of the warehouse reads the plain names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
