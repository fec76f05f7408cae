{#
    The first moment of the next month, as a timestamp: the exclusive end of a month.
    Month ends are judged against it rather than against 23:59:59 of the last day, since
    timestamps keep fractions of a second (docs/on_time_clock.md).
#}
{% macro next_month_start_at(month_start_date) -%}
    {{ dbt.dateadd('month', '1', 'cast(' ~ month_start_date ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
