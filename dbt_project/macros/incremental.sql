{#
    Rebuilding only what changed (issue 10). The orchestrator passes the dbt var
    `reformwatch_changed_months`: the months ('YYYY-MM') the rows of every delivery added,
    replaced or retracted since the last successful build fall in (audit.file_months). Absent or null: every model is a plain table
    and computes everything, as before. Set: the incremental models delete the rows whose
    inputs can have changed (a pre-hook) and insert them again from the current raw state.
    `--full-refresh`, or a model whose table does not exist yet, computes everything.

    Raw is always the truth: the var only says where it changed. The months are those of the
    changed rows themselves (a delivery may carry rows of another month than its name), each
    by the column the staging model partitions by, so a month partition of staging is
    exactly the raw rows of that month, whichever files hold them.
#}

{# The changed months as a sorted list of 'YYYY-MM' strings, or none when not given. #}
{% macro changed_months() -%}
    {%- set given = var('reformwatch_changed_months', none) -%}
    {%- if given is none or given == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if given is string -%}
        {%- set given = fromjson(given) -%}
    {%- endif -%}
    {%- set months = [] -%}
    {%- for month in given -%}
        {%- set month = month | string -%}
        {%- if modules.re.fullmatch('[0-9]{4}-(0[1-9]|1[0-2])', month) is none -%}
            {{ exceptions.raise_compiler_error(
                "reformwatch_changed_months: '" ~ month ~ "' is not a month 'YYYY-MM'"
            ) }}
        {%- endif -%}
        {%- if month not in months -%}
            {%- do months.append(month) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(months | sort) }}
{%- endmacro %}

{# True when this run is told which months changed (the var is set). #}
{% macro changed_months_given() -%}
    {{ return(changed_months() is not none) }}
{%- endmacro %}

{#
    The materialisation of a model that can rebuild only the changed months: `incremental`
    when the var is given and the engine has an incremental path here, else `table` (the var
    absent, or an engine without one: everything is computed, nothing to get wrong).
#}
{% macro incremental_materialization() -%}
    {%- if not changed_months_given() -%}
        {{ return('table') }}
    {%- endif -%}
    {{ return(adapter.dispatch('incremental_materialization', 'reformwatch')()) }}
{%- endmacro %}

{% macro duckdb__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#
    The config of every model that rebuilds only what changed: the materialisation above,
    append after a pre-hook that deletes the stale rows. `stale_rows` is an SQL condition on
    the model's own columns, as Jinja text rendered when the hook runs (it may call
    `in_changed_months` or `ref`). The model's SQL restricts itself to the same rows when
    `is_incremental()`.
#}
{% macro incremental_config(stale_rows) -%}
    {{ return({
        'materialized': incremental_materialization(),
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': '{% if is_incremental() %}delete from {{ this }} where ' ~ stale_rows ~ '{% endif %}',
    }) }}
{%- endmacro %}

{#
    A date (or timestamp) expression falls in one of the changed months: one half-open
    range per month, on the bare expression, so that DuckDB pushes it below the staging
    dedupe window into the raw scan (a function of the column, e.g. its month, is filtered
    only after the window has run over every raw row). `false` when no month is given (the
    optimiser then reads nothing).
#}
{% macro in_changed_months(date_expr) -%}
    {%- set months = changed_months() or [] -%}
    {%- if months | length == 0 -%}
        false
    {%- else -%}
        ({% for month in months -%}
            {%- set year, month_of_year = month[:4] | int, month[5:] | int -%}
            {%- set next_month = '%04d-%02d' | format(year + month_of_year // 12, month_of_year % 12 + 1) -%}
            ({{ date_expr }} >= cast('{{ month }}-01' as date) and {{ date_expr }} < cast('{{ next_month }}-01' as date))
            {{- ' or ' if not loop.last }}
        {%- endfor %})
    {%- endif -%}
{%- endmacro %}

{# A year and a month-of-year (integers, e.g. a fiscal year and period) in a changed month. #}
{% macro year_month_in_changed_months(year_expr, month_expr) -%}
    {%- if changed_months() -%}
        cast({{ year_expr }} as {{ dbt.type_int() }}) * 100
        + cast({{ month_expr }} as {{ dbt.type_int() }}) in (
            {%- for month in changed_months() -%}
                {{ month[:4] }}{{ month[5:] }}{{ ', ' if not loop.last }}
            {%- endfor -%}
        )
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#
    A row-level data test on a big incremental table checks only the changed months when
    the var is given: its YAML says `config: {where: "__changed_months_only__(<date column>)"}`
    (dbt renders no project macro in a test's config, hence a marker that
    `get_where_subquery` below reads). The other rows were checked when they were built and
    have not moved. Rules that span months or tables (a key without a date, relationships,
    reconciliations) keep the whole table; a key that holds the row's date is unique across
    months when it is unique within each. Without the var: every row.
#}
{% macro changed_rows_only(date_expr) -%}
    {%- if changed_months_given() -%}
        {{ in_changed_months(date_expr) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# dbt's `where` of a data test, with the marker above read as `changed_rows_only`. #}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set marker = modules.re.fullmatch('__changed_months_only__[(]([a-z_]+)[)]', where or '') -%}
    {%- if marker -%}
        {%- set where = changed_rows_only(marker.group(1)) -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#
    The rows of the dossiers int_changed_dossiers lists: the stale rows of the dossier-level
    incremental models, and what their SQL reads on an incremental run. Jinja text, so that
    it renders where it is used (a model's SQL, or its pre-hook at run time).
#}
{% macro changed_dossiers_condition() -%}
    dossier_code in (select dossier_code from {{ ref('int_changed_dossiers') }})
{%- endmacro %}

{#
    A date on or after the first changed month: the stale rows of a model whose row for a
    month reads every snapshot up to that month (as-of figures), so a change reaches every
    later month and no earlier one.
#}
{% macro on_or_after_first_changed_month(date_expr) -%}
    {%- if changed_months() -%}
        {{ date_expr }} >= cast('{{ changed_months()[0] }}-01' as date)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#
    What an incremental model's SQL reads: on an incremental run the rows `condition`
    selects (the same rows its pre-hook deleted), else every row (`true`).
    Usage: `where {{ rows_to_rebuild(in_changed_months('event_at')) }}`.
#}
{% macro rows_to_rebuild(condition) -%}
    {%- if is_incremental() -%}
        {{ condition }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#
    The rows of a relation as the previous build left them, read before this run replaces
    them (no ref: the model that reads them runs first): `column` of the rows `condition`
    selects. None when the var is not given or the relation does not exist yet.
#}
{% macro rows_of_previous_build(schema, identifier, column, condition) -%}
    {%- set previous = adapter.get_relation(
        database=target.database,
        schema=generate_schema_name(schema, none),
        identifier=identifier,
    ) if execute and changed_months() else none -%}
    {%- if previous is none -%}
        select cast(null as {{ dbt.type_string() }}) as {{ column }} where false
    {%- else -%}
        select {{ column }} from {{ previous }} where {{ condition }}
    {%- endif -%}
{%- endmacro %}
