{#
    One row per calendar day from start_date to end_date inclusive, column `date_day`.
    The number of days is computed here, in Jinja, so the spine needs no query at compile
    time (dbt.date_spine asks the warehouse); rows come from dbt's cross-database
    `dbt.generate_series` and the dates from `dbt.dateadd`.
    Arguments are ISO dates as strings: day_spine('2024-01-01', '2027-12-31').
#}
{% macro day_spine(start_date, end_date) -%}
    {%- set start = modules.datetime.datetime.strptime(start_date, '%Y-%m-%d').date() -%}
    {%- set end = modules.datetime.datetime.strptime(end_date, '%Y-%m-%d').date() -%}
    {%- set day_count = (end - start).days + 1 -%}
    {%- if day_count < 1 -%}
        {{ exceptions.raise_compiler_error("day_spine: end_date is before start_date") }}
    {%- endif -%}
    with numbers as (
        {{ dbt.generate_series(day_count) }}
    )

    select
        cast(
            {{ dbt.dateadd('day', 'generated_number - 1', "cast('" ~ start_date ~ "' as date)") }}
            as date
        ) as date_day
    from numbers
{%- endmacro %}
