{#
    Commune staffing per unit × month × position × specialisation (docs/indicators.md D).
      stocks     from the month's roster snapshot of the unit's province (the latest one of
                 the month, should a province deliver two): headcount = status active or
                 on_leave, active_staff = status active;
      movements  from int_staff_movements, in the month of the movement date: joiners
                 (joined_on), leavers by exit reason (left_on) and the benefits due to and
                 paid to those leavers (latest amounts reported).
    Movement months outside the calendar (vars calendar_start .. calendar_end) are left out:
    the joining dates of long-serving staff are not a flow of the period.
#}

with

staff as (

    select * from {{ ref('stg_personnel_rosters__staff') }}

),

movements as (

    select * from {{ ref('int_staff_movements') }}
    where month_start >= cast('{{ var("calendar_start") }}' as date)
        and month_start <= cast('{{ var("calendar_end") }}' as date)

),

month_snapshots as (

    -- one snapshot per province and month: the latest of the month
    {{ latest_snapshot_of_month('staff') }}

),

stocks as (

    select
        unit_code,
        province_code,
        month_start,
        position,
        specialisation,
        count(*) as headcount,
        sum(case when status = 'active' then 1 else 0 end) as active_staff
    from month_snapshots
    where status in ('active', 'on_leave')
    group by
        unit_code,
        province_code,
        month_start,
        position,
        specialisation

),

flows as (

    select
        unit_code,
        province_code,
        month_start,
        position,
        specialisation,
        sum(case when movement = 'joined' then 1 else 0 end) as joiners,
        sum(case when movement = 'left' then 1 else 0 end) as leavers_total,
        sum(case when movement = 'left' and exit_reason = 'early_retirement' then 1 else 0 end)
            as leavers_early_retirement,
        sum(case when movement = 'left' and exit_reason = 'resignation' then 1 else 0 end)
            as leavers_resignation,
        sum(case when movement = 'left' and exit_reason = 'retirement' then 1 else 0 end)
            as leavers_retirement,
        sum(case when movement = 'left' and exit_reason = 'transfer' then 1 else 0 end)
            as leavers_transfer,
        sum(case when movement = 'left' and exit_reason = 'dismissal' then 1 else 0 end)
            as leavers_dismissal,
        sum(case when movement = 'left' then coalesce(benefit_due_vnd, 0) else 0 end)
            as benefits_due_vnd,
        sum(case when movement = 'left' then coalesce(benefit_paid_vnd, 0) else 0 end)
            as benefits_paid_vnd
    from movements
    group by
        unit_code,
        province_code,
        month_start,
        position,
        specialisation

),

activity as (

-- one long list of partial counts, summed below: no full outer joins
    {{ union_partial_counts(
        keys=['unit_code', 'province_code', 'month_start', 'position', 'specialisation'],
        parts={
            'stocks': ['headcount', 'active_staff'],
            'flows': [
                'joiners',
                'leavers_total',
                'leavers_early_retirement',
                'leavers_resignation',
                'leavers_retirement',
                'leavers_transfer',
                'leavers_dismissal',
                'benefits_due_vnd',
                'benefits_paid_vnd',
            ],
        }
    ) }}

),

final as (

    select
        {{ surrogate_key(['unit_code', 'month_start', 'position', 'specialisation']) }}
            as staffing_month_key,
        unit_code,
        province_code,
        month_start,
        position,
        specialisation,
        cast(sum(headcount) as {{ dbt.type_bigint() }}) as headcount,
        cast(sum(active_staff) as {{ dbt.type_bigint() }}) as active_staff,
        cast(sum(joiners) as {{ dbt.type_bigint() }}) as joiners,
        cast(sum(leavers_total) as {{ dbt.type_bigint() }}) as leavers_total,
        cast(sum(leavers_early_retirement) as {{ dbt.type_bigint() }}) as leavers_early_retirement,
        cast(sum(leavers_resignation) as {{ dbt.type_bigint() }}) as leavers_resignation,
        cast(sum(leavers_retirement) as {{ dbt.type_bigint() }}) as leavers_retirement,
        cast(sum(leavers_transfer) as {{ dbt.type_bigint() }}) as leavers_transfer,
        cast(sum(leavers_dismissal) as {{ dbt.type_bigint() }}) as leavers_dismissal,
        cast(sum(benefits_due_vnd) as {{ dbt.type_bigint() }}) as benefits_due_vnd,
        cast(sum(benefits_paid_vnd) as {{ dbt.type_bigint() }}) as benefits_paid_vnd
    from activity
    group by
        unit_code,
        province_code,
        month_start,
        position,
        specialisation

)

select * from final
