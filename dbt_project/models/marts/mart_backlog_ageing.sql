{#
    Backlog past due at each month end, by how long past due (docs/indicators.md C): one row
    per scope (unit | province | nation) × area × month with a dossier open at its end.
    A dossier open past due at the month end (int_dossier_month_ends_judged) is aged by the
    working days from its promised time to the moment of judgement, rounded up (at least
    1: past due by less than a working day is 1–5), into 1–5, 6–10, 11–20 and >20 working
    days. Supplement waits are not taken out of the age (the past-due verdict already did).
#}

with

judged as (

    select
        unit_code,
        province_code,
        month_start,
        promised_at,
        judged_at,
        is_past_due
    from {{ ref('int_dossier_month_ends_judged') }}

),

calendar as (

    select * from {{ ref('int_working_calendar') }}

),

aged as (

    select
        judged.unit_code,
        judged.province_code,
        judged.month_start,
        judged.is_past_due,
        case
            when judged.is_past_due
                then {{ working_days_past_due(
                        'judged.promised_at', 'judged.judged_at', 'promised_day', 'judged_day'
                    ) }}
        end as working_days_past_due
    from judged
    left join calendar as promised_day
        on cast(judged.promised_at as date) = promised_day.date_day
    left join calendar as judged_day
        on cast(judged.judged_at as date) = judged_day.date_day

),

bucketed as (

    select
        unit_code,
        province_code,
        month_start,
        1 as open_dossier,
        case when is_past_due then 1 else 0 end as past_due,
        case when working_days_past_due between 1 and 5 then 1 else 0 end as past_due_1_5,
        case when working_days_past_due between 6 and 10 then 1 else 0 end as past_due_6_10,
        case when working_days_past_due between 11 and 20 then 1 else 0 end as past_due_11_20,
        case when working_days_past_due > 20 then 1 else 0 end as past_due_over_20
    from aged

),

{% set sums %}
        cast(sum(open_dossier) as {{ dbt.type_bigint() }}) as open_dossiers,
        cast(sum(past_due) as {{ dbt.type_bigint() }}) as past_due_dossiers,
        cast(sum(past_due_1_5) as {{ dbt.type_bigint() }}) as past_due_1_5_days,
        cast(sum(past_due_6_10) as {{ dbt.type_bigint() }}) as past_due_6_10_days,
        cast(sum(past_due_11_20) as {{ dbt.type_bigint() }}) as past_due_11_20_days,
        cast(sum(past_due_over_20) as {{ dbt.type_bigint() }}) as past_due_over_20_days
{% endset %}

rolled as (

    select
        'unit' as scope,
        unit_code as area_code,
        province_code,
        month_start,
        {{ sums }}
    from bucketed
    group by
        unit_code,
        province_code,
        month_start

    union all

    select
        'province' as scope,
        province_code as area_code,
        province_code,
        month_start,
        {{ sums }}
    from bucketed
    group by
        province_code,
        month_start

    union all

    select
        'nation' as scope,
        'VN' as area_code,
        cast(null as {{ dbt.type_string() }}) as province_code,
        month_start,
        {{ sums }}
    from bucketed
    group by month_start

),

latest as (

    select max(month_start) as latest_month_start
    from bucketed

),

final as (

    select
        rolled.scope,
        rolled.area_code,
        rolled.province_code,
        rolled.month_start,
        rolled.month_start = latest.latest_month_start as is_latest_month,
        rolled.open_dossiers,
        rolled.past_due_dossiers,
        {{ safe_divide('rolled.past_due_dossiers', 'rolled.open_dossiers') }} as past_due_share,
        rolled.past_due_1_5_days,
        rolled.past_due_6_10_days,
        rolled.past_due_11_20_days,
        rolled.past_due_over_20_days
    from rolled
    cross join latest

)

select * from final
