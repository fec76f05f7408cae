{#
    The rows of `relation` at each province's latest month_start, with the province's first
    month beside them (`first_month`): a province that reported late is shown at its own
    latest month, never mixed with an older one (documented in _macros.yml).
#}
{% macro latest_month_of_province(relation) %}
    select
        monthly_rows.*,
        province_months.first_month
    from {{ relation }} as monthly_rows
    inner join (
        select
            province_code,
            min(month_start) as first_month,
            max(month_start) as month_start
        from {{ relation }}
        group by province_code
    ) as province_months
        on monthly_rows.province_code = province_months.province_code
        and monthly_rows.month_start = province_months.month_start
{% endmacro %}
