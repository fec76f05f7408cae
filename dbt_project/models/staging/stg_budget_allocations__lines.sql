{#
    A table, incremental by fiscal period (macros/incremental.sql; fiscal year = calendar
    year, a period is a month), not a view: the dedupe window ran again for each reader and
    each data test. The business key holds the year and period, so a period's lines dedupe
    from that period's raw rows alone.
#}

{{ config(**incremental_config("{{ in_changed_months('period_start') }}")) }}

with

source as (

    select * from {{ source('raw', 'budget_allocation_rows') }}

),

renamed as (

    select
        {{ landed_row_columns() }},
        cast(fiscal_year as {{ dbt.type_int() }}) as fiscal_year,
        cast(period as {{ dbt.type_int() }}) as period,
        unit_code,
        lower(level) as level,
        lower(flow) as flow,
        lower(category) as category,
        budget_item,
        cast(planned_vnd as {{ dbt.type_bigint() }}) as planned_vnd,
        cast(allocated_vnd as {{ dbt.type_bigint() }}) as allocated_vnd,
        cast(disbursed_vnd as {{ dbt.type_bigint() }}) as disbursed_vnd,
        cast(treasury_account_opened_on as date) as treasury_account_opened_on
    from source
    where {{ rows_to_rebuild(year_month_in_changed_months('fiscal_year', 'period')) }}

),

deduplicated as (

-- a corrected file supersedes by business key; province_code by the record's date
    {{ latest_by_business_key('renamed', [
        'fiscal_year',
        'period',
        'unit_code',
        'flow',
        'category',
        'budget_item',
    ], dbt.concat([
        "cast(ranked.fiscal_year as " ~ dbt.type_string() ~ ")",
        "'-'",
        dbt.right(dbt.concat(["'0'", "cast(ranked.period as " ~ dbt.type_string() ~ ")"]), "2"),
        "'-01'",
    ])) }}

),

final as (

    select
        {{ surrogate_key([
            'deduplicated.fiscal_year',
            'deduplicated.period',
            'deduplicated.unit_code',
            'deduplicated.flow',
            'deduplicated.category',
            'deduplicated.budget_item',
        ]) }} as budget_line_id,
        deduplicated.fiscal_year,
        deduplicated.period,
        -- the first day of the fiscal period (fiscal year = calendar year in Vietnam)
        cast(
            {{ dbt.concat([
                "cast(deduplicated.fiscal_year as " ~ dbt.type_string() ~ ")",
                "'-'",
                dbt.right(dbt.concat(["'0'", "cast(deduplicated.period as " ~ dbt.type_string() ~ ")"]), "2"),
                "'-01'",
            ]) }}
            as date
        ) as period_start,
        deduplicated.unit_code,
        deduplicated.province_code,
        deduplicated.level,
        deduplicated.flow,
        deduplicated.category,
        deduplicated.budget_item,
        deduplicated.planned_vnd,
        deduplicated.allocated_vnd,
        deduplicated.disbursed_vnd,
        deduplicated.treasury_account_opened_on,
        deduplicated.file_id
    from deduplicated

)

select * from final
