{#
    The portal's "on time" rule (Decision 766; docs/indicators.md section A), defined once.

    end_at              when processing ended (first of completed, result_returned, rejected,
                        withdrawn) or, for a dossier still open, the moment it is judged
                        (the last second of a month, or the data cut-off);
    supplement_seconds  time spent waiting for the applicant to supplement the dossier
                        up to end_at; it does not count, so the clock is set back by it;
    promised_at         the promised return time;
    supplement_requests requests up to end_at: more than one is overdue whatever the dates.

    Dates, not times, decide: ending any time on the promised calendar date is on time
    (deadlines are promised as days; the promised hour is the office's closing time).

        early    adjusted end on a date before the promised date
        on_time  adjusted end on the promised date
        overdue  adjusted end on a later date, or more than one supplement request
        null     nothing to judge (no end or no promise)

    For an open dossier judged at a period end, 'overdue' reads "past due".
#}
{% macro adjusted_end_at(end_at, supplement_seconds) -%}
    {{ dbt.dateadd('second', '-1 * coalesce(' ~ supplement_seconds ~ ', 0)', end_at) }}
{%- endmacro %}

{% macro timeliness(end_at, supplement_seconds, promised_at, supplement_requests) -%}
    case
        when {{ end_at }} is null or {{ promised_at }} is null then null
        when coalesce({{ supplement_requests }}, 0) > 1 then 'overdue'
        when cast({{ adjusted_end_at(end_at, supplement_seconds) }} as date)
            < cast({{ promised_at }} as date) then 'early'
        when cast({{ adjusted_end_at(end_at, supplement_seconds) }} as date)
            = cast({{ promised_at }} as date) then 'on_time'
        else 'overdue'
    end
{%- endmacro %}
