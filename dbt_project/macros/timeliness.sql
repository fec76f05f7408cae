{#
    The portal's "on time" rule (Decision 766; docs/on_time_clock.md), defined once.

    adjusted_end_at     when processing ended (first of completed, result_returned,
                        rejected, withdrawn) or, for a dossier still open, the moment it is
                        judged (the start of the next month, or the data cut-off), moved
                        earlier by the working time the dossier waited for the applicant up
                        to then (macro `moved_by_working_time`): the end net of the waits;
    promised_at         the promised return time;
    supplement_requests requests up to the end: more than one is overdue whatever the dates.

    Dates, not times, decide: a net end any time on the promised calendar date is on time
    (deadlines are promised as days; the promised hour is the office's closing time).

        early    net end on a date before the promised date
        on_time  net end on the promised date
        overdue  net end on a later date, or more than one supplement request
        null     nothing to judge (no end or no promise)

    For an open dossier judged at a period end, 'overdue' reads "past due".
#}
{% macro timeliness(adjusted_end_at, promised_at, supplement_requests) -%}
    case
        when {{ adjusted_end_at }} is null or {{ promised_at }} is null then null
        when coalesce({{ supplement_requests }}, 0) > 1 then 'overdue'
        when cast({{ adjusted_end_at }} as date) < cast({{ promised_at }} as date) then 'early'
        when cast({{ adjusted_end_at }} as date) = cast({{ promised_at }} as date) then 'on_time'
        else 'overdue'
    end
{%- endmacro %}
