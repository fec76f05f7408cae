{#
    Surplus offices and land, their repurposing, decision times and archive digitisation at
    each province's latest asset snapshot, per province and for the nation (every province
    at its own latest snapshot). Counts are summed, shares taken from the sums; a median
    does not add up, so the nation's is taken over the asset rows of the same snapshots
    with the rule of mart_province_assets.
#}

with

province_months as (

    select * from {{ ref('mart_province_assets') }}

),

latest as (

    {{ latest_month_of_province('province_months') }}

),

national_median as (

    select
        {{ median(
            "case when assets.is_office and assets.status in ('repurposed', 'disposed')"
            ~ " then assets.days_to_decision end"
        ) }} as median_days_to_decision
    from {{ ref('fct_assets') }} as assets
    inner join latest
        on assets.province_code = latest.province_code
        and assets.snapshot_date = latest.snapshot_date

),

national as (

    select
        cast(count(*) as {{ dbt.type_bigint() }}) as provinces,
        {%- for column in [
            'offices_total', 'surplus_offices', 'waiting', 'repurposing', 'repurposed',
            'disposed', 'repurposed_priority', 'decisions_timed', 'archive_records',
            'archive_records_digitised',
        ] %}
            cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }},
        {%- endfor %}
        cast(sum(surplus_land_area_m2) as {{ type_double() }}) as surplus_land_area_m2
    from latest

),

final as (

    select
        'province' as scope,
        province_code as area_code,
        province_code,
        month_start,
        snapshot_date,
        cast(1 as {{ dbt.type_bigint() }}) as provinces,
        offices_total,
        surplus_offices,
        waiting,
        repurposing,
        repurposed,
        disposed,
        surplus_land_area_m2,
        repurposed_priority,
        repurposed_share,
        priority_share,
        decisions_timed,
        median_days_to_decision,
        archive_records,
        archive_records_digitised,
        archive_digitised_share
    from latest

    union all

    select
        'nation' as scope,
        'VN' as area_code,
        cast(null as {{ dbt.type_string() }}) as province_code,
        cast(null as date) as month_start,
        cast(null as date) as snapshot_date,
        national.provinces,
        national.offices_total,
        national.surplus_offices,
        national.waiting,
        national.repurposing,
        national.repurposed,
        national.disposed,
        national.surplus_land_area_m2,
        national.repurposed_priority,
        {{ safe_divide('national.repurposed', 'national.surplus_offices') }} as repurposed_share,
        {{ safe_divide('national.repurposed_priority', 'national.repurposed') }} as priority_share,
        national.decisions_timed,
        national_median.median_days_to_decision,
        national.archive_records,
        national.archive_records_digitised,
        {{ safe_divide('national.archive_records_digitised', 'national.archive_records') }}
            as archive_digitised_share
    from national
    cross join national_median
    where national.provinces > 0

)

select * from final
