{#
    Staging's one dedupe and province lookup (documented in _macros.yml). A corrected file
    supersedes by business key: per key the row of the latest load wins, then the later
    file and line, so the choice is deterministic even within one load.
#}
{% macro latest_by_business_key(relation, business_key) %}
    select
        ranked.*,
        admin_units.province_code
    from (
        select
            candidates.*,
            row_number() over (
                partition by
                    {{ business_key | join(',\n                    ') }}
                order by
                    loaded_at desc,
                    file_id desc,
                    line_no desc
            ) as version_rank
        from {{ relation }} as candidates
    ) as ranked
    left join {{ ref('admin_units') }} as admin_units
        on ranked.unit_code = admin_units.unit_code
    where ranked.version_rank = 1
{% endmacro %}
