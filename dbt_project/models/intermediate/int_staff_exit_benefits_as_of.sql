{#
    Restructuring benefits of the people who left since the reform (left_on on or after var
    reform_date), as known at each roster snapshot of their province (docs/indicators.md
    D: benefits paid ÷ due, and months of delay). One row per exit (staff_code, left_on) ×
    month with a roster snapshot of the province, from the month of the exit on; the amounts
    are those of the latest snapshot row of the exit up to that month, so a leaver who drops
    off the roster once paid keeps counting with the last amounts reported.

    Settlement: the first snapshot in which benefit_paid_vnd >= benefit_due_vnd with
    benefit_due_vnd > 0 (a leaver owed nothing is never "settled"). As of a month, an exit
    is settled when that first snapshot's month is not later than the month; its delay is
    the whole months from the month of left_on to the month of that snapshot (paid in the
    snapshot of the exit month = 0 months).

    Incremental (macros/incremental.sql): a row of month M reads the snapshots up to M only
    (a settlement later than M is not shown as of M), so the months from the first changed
    one on are rebuilt, every earlier month kept.
#}

{{ config(**incremental_config("{{ on_or_after_first_changed_month('month_start') }}")) }}

with

staff as (

    select * from {{ ref('stg_personnel_rosters__staff') }}

),

exit_rows as (

    select
        staff_code,
        left_on,
        {{ month_start('left_on') }} as left_month_start,
        snapshot_date,
        month_start,
        unit_code,
        province_code,
        benefit_due_vnd,
        benefit_paid_vnd
    from staff
    where status = 'left'
        and left_on >= cast('{{ var("reform_date") }}' as date)

),

settlements as (

    select
        staff_code,
        left_on,
        min(month_start) as settled_month_start
    from exit_rows
    where benefit_due_vnd > 0
        and coalesce(benefit_paid_vnd, 0) >= benefit_due_vnd
    group by
        staff_code,
        left_on

),

snapshot_months as (

    select distinct
        province_code,
        month_start
    from staff
    where {{ rows_to_rebuild(on_or_after_first_changed_month('month_start')) }}

),

as_of_candidates as (

    select
        exit_rows.staff_code,
        exit_rows.left_on,
        exit_rows.left_month_start,
        exit_rows.unit_code,
        exit_rows.province_code,
        snapshot_months.month_start,
        exit_rows.benefit_due_vnd,
        exit_rows.benefit_paid_vnd,
        row_number() over (
            partition by
                exit_rows.staff_code,
                exit_rows.left_on,
                snapshot_months.month_start
            order by exit_rows.snapshot_date desc
        ) as as_of_rank
    from exit_rows
    inner join snapshot_months
        on exit_rows.province_code = snapshot_months.province_code
        and exit_rows.month_start <= snapshot_months.month_start
        and exit_rows.left_month_start <= snapshot_months.month_start

),

as_of as (

    select * from as_of_candidates
    where as_of_rank = 1

),

final as (

    select
        as_of.staff_code,
        as_of.left_on,
        as_of.left_month_start,
        as_of.unit_code,
        as_of.province_code,
        as_of.month_start,
        as_of.benefit_due_vnd,
        as_of.benefit_paid_vnd,
        case
            when settlements.settled_month_start <= as_of.month_start
                then settlements.settled_month_start
        end as settled_month_start,
        case
            when settlements.settled_month_start <= as_of.month_start
                then cast(
                        {{ dbt.datediff(
                            'as_of.left_month_start', 'settlements.settled_month_start', 'month'
                        ) }}
                        as {{ dbt.type_int() }}
                    )
        end as delay_months
    from as_of
    left join settlements
        on as_of.staff_code = settlements.staff_code
        and as_of.left_on = settlements.left_on

)

select * from final
