{#
    Seeds on Spark. dbt-spark 1.11 inserts a seed as one `values` list of bound strings, which
    its session method pastes between quotes unescaped (a name with an apostrophe breaks the
    statement, an empty cell arrives as the string 'None') and which Spark parses slowly
    (~10 ms a row). Here, in a local session, Spark reads the CSV file itself (empty cell =
    null, as DuckDB reads it) and the rows are inserted with the seed's column types; on a
    cluster the file is not on the driver, so the rows go as escaped literals.
    Defined in this project, these win dbt's dispatch for Spark only.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set casts = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- set type = column_override.get(col_name, inferred_type) -%}
        {%- do casts.append((col_name, type)) -%}
    {%- endfor -%}
    {%- if target.method == 'session' -%}
        {%- set sql = spark_seed_from_file(model, casts) -%}
        {%- do run_query(spark_seed_file_view(model)) -%}
        {%- do run_query(sql) -%}
        {{ return(sql) }}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name, type in casts -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do run_query(sql) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{% macro spark_seed_view_name(model) -%}
    reformwatch_seed_{{ model['name'] }}
{%- endmacro %}

{% macro spark_seed_file_view(model) -%}
    create or replace temporary view {{ spark_seed_view_name(model) }}
    using csv
    options (
        path '{{ model["root_path"] }}/{{ model["original_file_path"] }}',
        header 'true',
        quote '"',
        escape '"',
        multiLine 'true',
        inferSchema 'false'
    )
{%- endmacro %}

{% macro spark_seed_from_file(model, casts) -%}
    insert into {{ this.render() }}
    select
        {% for col_name, type in casts -%}
            cast(`{{ col_name }}` as {{ type }}){% if not loop.last %},{% endif %}
        {% endfor -%}
    from {{ spark_seed_view_name(model) }}
{%- endmacro %}

{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
