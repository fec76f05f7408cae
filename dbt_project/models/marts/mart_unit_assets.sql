{#
    Public assets of each commune-level unit at its province's latest asset snapshot (the
    snapshot mart_assets_latest reads for the province), for the commune view of the
    drill-down: the counts of mart_province_assets by the unit holding the asset
    (fct_assets.unit_code). Assets held by the province itself are not a commune's. A
    median over a commune's few decisions says little, so it is left to the province marts.
    Rates through macro `safe_divide`.
#}

with

province_latest as (

    select
        province_code,
        month_start,
        snapshot_date
    from {{ ref('mart_assets_latest') }}
    where scope = 'province'

),

communes as (

    select unit_code
    from {{ ref('dim_admin_unit') }}
    where unit_level = 'commune'

),

snapshot_assets as (

    select
        assets.*,
        {{ is_surplus_office('assets') }} as is_surplus_office
    from {{ ref('fct_assets') }} as assets
    inner join province_latest
        on assets.province_code = province_latest.province_code
        and assets.snapshot_date = province_latest.snapshot_date
    inner join communes
        on assets.unit_code = communes.unit_code

),

unit_counts as (

    select
        unit_code,
        province_code,
        month_start,
        snapshot_date,
        count(*) as assets_total,
        {{ office_status_counts() }},
        sum(coalesce(archive_records, 0)) as archive_records,
        sum(coalesce(archive_records_digitised, 0)) as archive_records_digitised
    from snapshot_assets
    group by
        unit_code,
        province_code,
        month_start,
        snapshot_date

),

final as (

    select
        unit_code,
        province_code,
        month_start,
        snapshot_date,
        cast(assets_total as {{ dbt.type_bigint() }}) as assets_total,
        {{ office_status_casts() }},
        {{ safe_divide('repurposed', 'surplus_offices') }} as repurposed_share,
        cast(archive_records as {{ dbt.type_bigint() }}) as archive_records,
        cast(archive_records_digitised as {{ dbt.type_bigint() }}) as archive_records_digitised,
        {{ safe_divide('archive_records_digitised', 'archive_records') }} as archive_digitised_share
    from unit_counts

)

select * from final
