{#
    The portal's "on time" rule (Decision 766; docs/on_time_clock.md), defined once.

    end_at               when processing ended (first of completed, result_returned,
                         rejected, withdrawn) or, for a dossier still open, the moment it is
                         judged (the start of the next month, or the data cut-off);
    adjusted_promised_at the promised return time moved later by the working time the
                         dossier waited for the applicant up to end_at
                         (macro `moved_by_working_time`);
    supplement_requests  requests up to end_at: more than one is overdue whatever the dates.

    Dates, not times, decide: ending any time on the (moved) promised calendar date is on
    time (deadlines are promised as days; the promised hour is the office's closing time).

        early    end on a date before the promised date
        on_time  end on the promised date
        overdue  end on a later date, or more than one supplement request
        null     nothing to judge (no end or no promise)

    For an open dossier judged at a period end, 'overdue' reads "past due".
#}
{% macro timeliness(end_at, adjusted_promised_at, supplement_requests) -%}
    case
        when {{ end_at }} is null or {{ adjusted_promised_at }} is null then null
        when coalesce({{ supplement_requests }}, 0) > 1 then 'overdue'
        when cast({{ end_at }} as date) < cast({{ adjusted_promised_at }} as date) then 'early'
        when cast({{ end_at }} as date) = cast({{ adjusted_promised_at }} as date) then 'on_time'
        else 'overdue'
    end
{%- endmacro %}
