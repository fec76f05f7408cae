{#
    Where each staged row came from: the ingest columns every raw table carries (the file,
    the line in it, the load time), renamed and typed once for the staging models
    (documented in _macros.yml).
#}
{% macro landed_row_columns() -%}
        _file_id as file_id,
        cast(_line_no as {{ dbt.type_bigint() }}) as line_no,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
{%- endmacro %}
