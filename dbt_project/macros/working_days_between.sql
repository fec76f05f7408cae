{#
    Working time in working days (docs/indicators.md C): the office hours of working days
    (dim_date.is_working_day: Monday–Friday, not a public holiday), open from
    var('office_opens') to var('office_closes'), 07:30–17:00 unless the project sets them.
    Weekends, holidays and the night do not count; one working day = one day's office hours.

    A moment's *working-day position* is the number of working days of the calendar before
    its date plus the share of its own day's office hours already elapsed (0 on a closed
    day). Working time between two moments is the difference of their positions.

    working_day_position(timestamp_expr, calendar)
                            calendar: alias of int_working_calendar (the clock's
                            working-day numbering, date_day, is_working_day,
                            working_days_before) joined on
                            date_day = cast(timestamp_expr as date); null outside the
                            calendar (vars calendar_start..calendar_end);
    working_days_between(start_at, end_at, start_calendar, end_calendar)
                            end's position − start's position (fractional working days).
    The clock of the on-time rule counts the same working time (int_dossiers_timed).
#}

{% macro working_day_position(timestamp_expr, calendar) -%}
    {{ return(adapter.dispatch('working_day_position', 'reformwatch')(timestamp_expr, calendar)) }}
{%- endmacro %}

{% macro default__working_day_position(timestamp_expr, calendar) -%}
    {#- the office hours of the on-time clock (working_time.sql); `| int`: sqlfluff's
        templater hands a macro's value back as text -#}
    {%- set opens = office_opens_second() | int -%}
    {%- set length = office_seconds() | int -%}
    (
        {{ calendar }}.working_days_before
        + case
            when {{ calendar }}.is_working_day
                then least(
                    greatest(
                        cast(
                            {{ seconds_into_day(timestamp_expr) }} - {{ opens }}
                            as {{ type_double() }}
                        ) / {{ length }},
                        0
                    ),
                    1
                )
            else 0
        end
    )
{%- endmacro %}

{% macro working_days_between(start_at, end_at, start_calendar, end_calendar) -%}
    ({{ working_day_position(end_at, end_calendar) }} - {{ working_day_position(start_at, start_calendar) }})
{%- endmacro %}

{#- How many working days a dossier is past its promise, for its ageing (mart_backlog_ageing,
    mart_unit_overdue_dossiers): the working time from promised_at to the moment it is
    judged, rounded up, at least 1 (a dossier just past its promise is 1 day late); 0 when a
    date falls outside the calendar, so still 1. -#}
{% macro working_days_past_due(promised_at, judged_at, promised_calendar, judged_calendar) -%}
    greatest(
        cast(
            ceil(
                coalesce(
                    {{ working_days_between(promised_at, judged_at, promised_calendar, judged_calendar) }},
                    0
                )
            ) as {{ dbt.type_int() }}
        ),
        1
    )
{%- endmacro %}
