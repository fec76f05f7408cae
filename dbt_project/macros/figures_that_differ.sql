{#
    The published figures of `subject` (seed published_figures) that `actual` (a CTE of
    figure, actual_count) does not reproduce: one row per differing or missing figure
    (documented in _macros.yml).
#}
{% macro figures_that_differ(subject, actual) %}
    select
        expected.figure,
        expected.expected_count,
        {{ actual }}.actual_count
    from {{ ref('published_figures') }} as expected
    left join {{ actual }}
        on expected.figure = {{ actual }}.figure
    where expected.subject = '{{ subject }}'
        and (
            {{ actual }}.actual_count is null
            or {{ actual }}.actual_count <> expected.expected_count
        )
{% endmacro %}
