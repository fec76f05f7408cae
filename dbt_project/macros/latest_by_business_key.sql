{#
    Staging's one dedupe and province lookup (documented in _macros.yml). A corrected file
    supersedes by business key: per key the row of the latest load wins, then the later
    file and line, so the choice is deterministic even within one load. The province is
    looked up with the record's date: a code of before the reform is read as the unit of
    that time (admin_units_before_reform), whose province went whole into one of today's
    (unit_lineage), so every row carries today's province.
#}
{% macro latest_by_business_key(relation, business_key, record_date) %}
    {%- set reform = "cast('" ~ var('reform_date') ~ "' as date)" -%}
    select
        ranked.*,
        coalesce(admin_units.province_code, province_lineage.new_unit_code) as province_code
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
        on
            ranked.unit_code = admin_units.unit_code
            and cast({{ record_date }} as date) >= {{ reform }}
    left join {{ ref('admin_units_before_reform') }} as units_before
        on
            ranked.unit_code = units_before.unit_code
            and cast({{ record_date }} as date) < {{ reform }}
    left join {{ ref('unit_lineage') }} as province_lineage
        on
            units_before.province_code = province_lineage.old_unit_code
            and province_lineage.old_unit_level = 'province'
    where ranked.version_rank = 1
{% endmacro %}
