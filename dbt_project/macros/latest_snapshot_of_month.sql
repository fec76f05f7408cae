{#
    The rows of a province's snapshot that stand for their month: should a province deliver
    two snapshots in one month, the latest counts (documented in _macros.yml).
#}
{% macro latest_snapshot_of_month(relation) %}
    select
        snapshot_rows.*
    from {{ relation }} as snapshot_rows
    inner join (
        select
            province_code,
            month_start,
            max(snapshot_date) as snapshot_date
        from {{ relation }}
        group by
            province_code,
            month_start
    ) as latest_of_month
        on snapshot_rows.province_code = latest_of_month.province_code
        and snapshot_rows.snapshot_date = latest_of_month.snapshot_date
{% endmacro %}
