{#
    Public assets after the mergers, one row per asset × inventory snapshot
    (docs/indicators.md F). Adds to the staged snapshot:
      days_in_status     snapshot_date − status_since, in days;
      surplus_since      when the asset became surplus, as known at the snapshot: the
                         earliest status_since of its rows with status surplus up to this
                         snapshot (the snapshot date itself when status_since is missing);
                         null when it was never reported surplus;
      decided_on         on rows with status repurposed or disposed: the date of that
                         decision, status_since, else the first snapshot reporting it;
      days_to_decision   decided_on − surplus_since in days, when both are known and the
                         decision is not before the surplus date.
#}

with

assets as (

    select * from {{ ref('stg_asset_inventories__assets') }}

),

histories as (

    select
        assets.*,
        min(
            case
                when status = 'surplus' then coalesce(status_since, snapshot_date)
            end
        ) over (
            partition by asset_code
            order by snapshot_date
            rows between unbounded preceding and current row
        ) as surplus_since,
        min(snapshot_date) over (
            partition by
                asset_code,
                status
            order by snapshot_date
            rows between unbounded preceding and current row
        ) as first_snapshot_in_status
    from assets

),

decided as (

    select
        histories.*,
        case
            when status in ('repurposed', 'disposed')
                then coalesce(status_since, first_snapshot_in_status)
        end as decided_on
    from histories

),

final as (

    select
        {{ surrogate_key(['asset_code', 'snapshot_date']) }} as asset_snapshot_key,
        asset_code,
        snapshot_date,
        month_start,
        unit_code,
        province_code,
        former_unit_code,
        asset_type,
        asset_type in ('office_building', 'land') as is_office,
        area_m2,
        book_value_vnd,
        status,
        repurposed_to,
        status_since,
        cast({{ dbt.datediff('status_since', 'snapshot_date', 'day') }} as {{ dbt.type_int() }})
            as days_in_status,
        coalesce(
            repurposed_to in ('education', 'healthcare', 'culture', 'sports', 'social_welfare'),
            false
        ) as is_priority_repurpose,
        surplus_since,
        decided_on,
        case
            when decided_on >= surplus_since
                then cast(
                        {{ dbt.datediff('surplus_since', 'decided_on', 'day') }}
                        as {{ dbt.type_int() }}
                    )
        end as days_to_decision,
        archive_records,
        archive_records_digitised
    from decided

)

select * from final
