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
        assets.is_office
        and assets.status in ('surplus', 'repurposing', 'repurposed', 'disposed')
            as is_surplus_office
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
        sum(case when is_office then 1 else 0 end) as offices_total,
        sum(case when is_surplus_office then 1 else 0 end) as surplus_offices,
        sum(case when is_office and status = 'surplus' then 1 else 0 end) as waiting,
        sum(case when is_office and status = 'repurposing' then 1 else 0 end) as repurposing,
        sum(case when is_office and status = 'repurposed' then 1 else 0 end) as repurposed,
        sum(case when is_office and status = 'disposed' then 1 else 0 end) as disposed,
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
        cast(offices_total as {{ dbt.type_bigint() }}) as offices_total,
        cast(surplus_offices as {{ dbt.type_bigint() }}) as surplus_offices,
        cast(waiting as {{ dbt.type_bigint() }}) as waiting,
        cast(repurposing as {{ dbt.type_bigint() }}) as repurposing,
        cast(repurposed as {{ dbt.type_bigint() }}) as repurposed,
        cast(disposed as {{ dbt.type_bigint() }}) as disposed,
        {{ safe_divide('repurposed', 'surplus_offices') }} as repurposed_share,
        cast(archive_records as {{ dbt.type_bigint() }}) as archive_records,
        cast(archive_records_digitised as {{ dbt.type_bigint() }}) as archive_records_digitised,
        {{ safe_divide('archive_records_digitised', 'archive_records') }} as archive_digitised_share
    from unit_counts

)

select * from final
