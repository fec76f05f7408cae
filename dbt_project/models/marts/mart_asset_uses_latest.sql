{#
    What the repurposed surplus offices and land became, per province at its latest asset
    snapshot: offices per use (not_recorded when the inventory gives none) and each use's
    share of the province's repurposed offices, and the
    province's share that went to the five priority uses (the order of the chart).
#}

with

latest_snapshots as (

    select
        province_code,
        max(snapshot_date) as snapshot_date
    from {{ ref('mart_province_assets') }}
    group by province_code

),

repurposed as (

    select
        assets.province_code,
        coalesce(assets.repurposed_to, 'not_recorded') as repurposed_to,
        cast(count(*) as {{ dbt.type_bigint() }}) as offices
    from {{ ref('fct_assets') }} as assets
    inner join latest_snapshots
        on assets.province_code = latest_snapshots.province_code
        and assets.snapshot_date = latest_snapshots.snapshot_date
    where assets.is_office
        and assets.status = 'repurposed'
    group by
        assets.province_code,
        coalesce(assets.repurposed_to, 'not_recorded')

),

final as (

    select
        province_code,
        repurposed_to,
        offices,
        {{ safe_divide('offices', 'sum(offices) over (partition by province_code)') }} as share,
        {{ safe_divide(
            "sum(case when repurposed_to in ('education', 'healthcare', 'culture', 'sports', 'social_welfare') then offices else 0 end) over (partition by province_code)",
            'sum(offices) over (partition by province_code)'
        ) }} as province_priority_share
    from repurposed

)

select * from final
