{#
    Public assets after the mergers (docs/indicators.md F), one row per province × month
    with an asset inventory: the province's latest snapshot of the month (should it deliver
    two). "Offices" are assets of type office_building or land; an office is surplus once
    its status is surplus, repurposing, repurposed or disposed. The days from surplus to a
    decision come from fct_assets (days_to_decision) and are summarised by their median,
    macro `median` (dispatched per engine). Rates through macro `safe_divide`.
#}

with

assets as (

    select * from {{ ref('fct_assets') }}

),

month_snapshots as (

    -- one snapshot per province and month: the latest of the month
    {{ latest_snapshot_of_month('assets') }}

),

snapshot_assets as (

    select
        month_snapshots.*,
        {{ is_surplus_office('month_snapshots') }} as is_surplus_office
    from month_snapshots

),

province_months as (

    select
        province_code,
        month_start,
        snapshot_date,
        {{ office_status_counts() }},
        sum(
            case when is_surplus_office and asset_type = 'land' then coalesce(area_m2, 0) else 0 end
        ) as surplus_land_area_m2,
        sum(
            case
                when is_office and status = 'repurposed' and is_priority_repurpose then 1 else 0
            end
        ) as repurposed_priority,
        count(
            case when is_office and status in ('repurposed', 'disposed') then days_to_decision end
        ) as decisions_timed,
        {{ median(
            "case when is_office and status in ('repurposed', 'disposed')"
            ~ " then days_to_decision end"
        ) }} as median_days_to_decision,
        sum(coalesce(archive_records, 0)) as archive_records,
        sum(coalesce(archive_records_digitised, 0)) as archive_records_digitised
    from snapshot_assets
    group by
        province_code,
        month_start,
        snapshot_date

),

final as (

    select
        province_code,
        month_start,
        snapshot_date,
        {{ office_status_casts() }},
        cast(surplus_land_area_m2 as {{ type_double() }}) as surplus_land_area_m2,
        cast(repurposed_priority as {{ dbt.type_bigint() }}) as repurposed_priority,
        {{ safe_divide('repurposed', 'surplus_offices') }} as repurposed_share,
        {{ safe_divide('repurposed_priority', 'repurposed') }} as priority_share,
        cast(decisions_timed as {{ dbt.type_bigint() }}) as decisions_timed,
        median_days_to_decision,
        cast(archive_records as {{ dbt.type_bigint() }}) as archive_records,
        cast(archive_records_digitised as {{ dbt.type_bigint() }}) as archive_records_digitised,
        {{ safe_divide('archive_records_digitised', 'archive_records') }} as archive_digitised_share
    from province_months

)

select * from final
