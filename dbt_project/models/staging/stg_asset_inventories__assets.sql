{#
    A table, incremental by snapshot month (macros/incremental.sql), not a view: the dedupe
    window ran again for each reader and each data test. The business key holds the
    snapshot date, so a month's rows dedupe from that month's raw rows alone.
#}

{{ config(**incremental_config("{{ in_changed_months('snapshot_date') }}")) }}

with

source as (

    select * from {{ source('raw', 'asset_inventory_rows') }}

),

renamed as (

    select
        {{ landed_row_columns() }},
        cast(snapshot_date as date) as snapshot_date,
        asset_code,
        lower(asset_type) as asset_type,
        unit_code,
        nullif(trim(former_unit_code), '') as former_unit_code,
        nullif(trim(address), '') as address,
        cast(area_m2 as {{ type_double() }}) as area_m2,
        cast(book_value_vnd as {{ dbt.type_bigint() }}) as book_value_vnd,
        lower(status) as status,
        nullif(lower(trim(repurposed_to)), '') as repurposed_to,
        cast(status_since as date) as status_since,
        cast(archive_records as {{ dbt.type_int() }}) as archive_records,
        cast(archive_records_digitised as {{ dbt.type_int() }}) as archive_records_digitised
    from source
    where {{ rows_to_rebuild(in_changed_months('snapshot_date')) }}

),

deduplicated as (

-- a corrected file supersedes by business key; province_code by the record's date
    {{ latest_by_business_key('renamed', [
        'asset_code',
        'snapshot_date',
    ], 'ranked.snapshot_date') }}

),

final as (

    select
        {{ surrogate_key([
            'deduplicated.asset_code',
            'deduplicated.snapshot_date',
        ]) }} as asset_snapshot_id,
        deduplicated.snapshot_date,
        {{ month_start('deduplicated.snapshot_date') }} as month_start,
        deduplicated.asset_code,
        deduplicated.asset_type,
        deduplicated.unit_code,
        deduplicated.province_code,
        deduplicated.former_unit_code,
        deduplicated.address,
        deduplicated.area_m2,
        deduplicated.book_value_vnd,
        deduplicated.status,
        deduplicated.repurposed_to,
        deduplicated.status_since,
        deduplicated.archive_records,
        deduplicated.archive_records_digitised,
        deduplicated.file_id
    from deduplicated

)

select * from final
