-- mart_service_periods against its sources. Returns a row per province (or the nation)
-- and measure that does not reconcile:
--   whole-period dossiers_received = the province's received dossiers in fct_dossiers;
--   whole-period on_time_denominator = received dossiers finished + open at the data
--     cut-off (each dossier once, however many month ends it was open at).

with

whole as (

    select
        area_code,
        dossiers_received,
        on_time_denominator
    from {{ ref('mart_service_periods') }}
    where period = 'whole'
        and scope in ('province', 'nation')

),

last_month as (

    select
        max(month_start) as month_start
    from {{ ref('mart_unit_service_monthly') }}

),

received as (

    select
        province_code as area_code,
        count(*) as dossiers_received
    from {{ ref('fct_dossiers') }}
    where received_at is not null
    group by province_code

    union all

    select
        'VN' as area_code,
        count(*) as dossiers_received
    from {{ ref('fct_dossiers') }}
    where received_at is not null

),

judged as (

    -- finished (received) dossiers plus the dossiers open at the last month end judged
    select
        fct.province_code as area_code,
        count(*) as dossiers_judged
    from {{ ref('fct_dossiers') }} as fct
    where fct.received_at is not null
        and fct.finished_at is not null
    group by fct.province_code

    union all

    select
        month_ends.province_code as area_code,
        count(*) as dossiers_judged
    from {{ ref('int_dossier_month_ends_judged') }} as month_ends
    inner join last_month
        on month_ends.month_start = last_month.month_start
    group by month_ends.province_code

),

judged_by_area as (

    select
        area_code,
        sum(dossiers_judged) as dossiers_judged
    from judged
    group by area_code

    union all

    select
        'VN' as area_code,
        sum(dossiers_judged) as dossiers_judged
    from judged

),

compared as (

    select
        whole.area_code,
        'dossiers_received' as measure,
        whole.dossiers_received as mart_value,
        coalesce(received.dossiers_received, 0) as source_value
    from whole
    left join received
        on whole.area_code = received.area_code

    union all

    select
        whole.area_code,
        'on_time_denominator' as measure,
        whole.on_time_denominator as mart_value,
        coalesce(judged_by_area.dossiers_judged, 0) as source_value
    from whole
    left join judged_by_area
        on whole.area_code = judged_by_area.area_code

)

select * from compared
where mart_value <> source_value
