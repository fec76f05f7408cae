{#
    Working time (docs/on_time_clock.md): the office hours of working days. A working day
    (dim_date.is_working_day: Monday–Friday, not a public holiday) is open from
    var('office_opens') to var('office_closes'), 07:30–17:00 unless the project sets
    them; every other moment is closed and does not count.

    A moment is placed on the *working-second axis*: the office seconds of all working
    days of the calendar before its date, plus the office seconds of its own day already
    elapsed (0 before opening, all of them after closing, 0 on a closed day). Working time
    between two moments is the difference of their working seconds; moving a moment by
    working time is adding to its working second and mapping back to a moment.

    The axis needs the working-day numbering of model int_working_calendar, joined by
    the caller: on the date of a moment to place it (`working_second`), on the working-day
    index of a working second to map it back (`working_day_index` and
    `moment_at_working_second`).
#}

{% macro clock_seconds(hh_mm) -%}
    {%- set parts = hh_mm.split(':') -%}
    {{ return(parts[0] | int * 3600 + parts[1] | int * 60) }}
{%- endmacro %}

{% macro office_opens_second() -%}
    {{ return(clock_seconds(var('office_opens', '07:30'))) }}
{%- endmacro %}

{% macro office_seconds() -%}
    {#- `| int`: sqlfluff's templater hands a macro's value back as text -#}
    {%- set seconds = clock_seconds(var('office_closes', '17:00')) | int - office_opens_second() | int -%}
    {%- if seconds <= 0 -%}
        {{ exceptions.raise_compiler_error("office_closes must be after office_opens") }}
    {%- endif -%}
    {{ return(seconds) }}
{%- endmacro %}

{% macro seconds_into_day(timestamp_expr) -%}
    {{ dbt.datediff(
        'cast(cast(' ~ timestamp_expr ~ ' as date) as ' ~ dbt.type_timestamp() ~ ')',
        timestamp_expr,
        'second'
    ) }}
{%- endmacro %}

{% macro working_second(timestamp_expr, calendar) -%}
    {#- calendar: alias of int_working_calendar joined on date_day = cast(timestamp as date);
        null when the date is outside the calendar -#}
    (
        {{ calendar }}.working_days_before * {{ office_seconds() }}
        + case
            when {{ calendar }}.is_working_day
                then least(
                    greatest({{ seconds_into_day(timestamp_expr) }} - {{ office_opens_second() }}, 0),
                    {{ office_seconds() }}
                )
            else 0
        end
    )
{%- endmacro %}

{% macro working_day_index(working_second_expr) -%}
    {#- The working day a working second falls on, read from the left: a second that closes
        a day (17:00) belongs to that day, not to the next morning, so a promise moved by
        nothing stays on its date. Working seconds are whole numbers. -#}
    cast(
        floor(cast(({{ working_second_expr }}) - 1 as {{ type_double() }}) / {{ office_seconds() }})
        as {{ dbt.type_bigint() }}
    )
{%- endmacro %}

{% macro moment_at_working_second(working_second_expr, calendar) -%}
    {#- calendar: alias of int_working_calendar joined on is_working_day and
        working_days_before = working_day_index(working_second_expr) -#}
    {{ dbt.dateadd(
        'second',
        office_opens_second() ~ ' + (' ~ working_second_expr ~ ') - '
            ~ calendar ~ '.working_days_before * ' ~ office_seconds(),
        'cast(' ~ calendar ~ '.date_day as ' ~ dbt.type_timestamp() ~ ')'
    ) }}
{%- endmacro %}

{% macro working_seconds_between(start_second, end_second, start_at, end_at) -%}
    {#- Working time from start to end; outside the calendar (dim_date's range) working
        time cannot be told, and a calendar day counts as one working day. -#}
    coalesce(
        ({{ end_second }}) - ({{ start_second }}),
        cast(
            {{ dbt.datediff(start_at, end_at, 'second') }} * {{ office_seconds() }} / 86400
            as {{ dbt.type_bigint() }}
        )
    )
{%- endmacro %}

{% macro moved_by_working_time(moment, working_seconds, moved_working_second, calendar) -%}
    {#- `moment` moved by `working_seconds` of working time (negative: earlier), whose
        working second is `moved_working_second`; calendar: alias of int_working_calendar
        joined on is_working_day and working_days_before =
        working_day_index(moved_working_second). A moment not moved stays as it is (a
        promise outside office hours keeps its date). -#}
    case
        when {{ moment }} is null
            then null
        when {{ working_seconds }} = 0
            then {{ moment }}
        when {{ calendar }}.date_day is not null
            then {{ moment_at_working_second(moved_working_second, calendar) }}
        -- outside the calendar (dim_date's range) a working day counts as a calendar day
        else {{ dbt.dateadd(
            'second',
            'cast((' ~ working_seconds ~ ') * 86400 / ' ~ office_seconds() ~ ' as ' ~ dbt.type_bigint() ~ ')',
            moment
        ) }}
    end
{%- endmacro %}
