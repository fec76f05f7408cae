{#
    One row per joining and per exit of a staff member, read from the roster snapshots
    (docs/indicators.md D). A movement is a distinct (staff_code, date):
      joined  each distinct joined_on a person's rows report; the unit, position and
              specialisation are those of the earliest snapshot that reports it (where
              the person was taken on);
      left    each distinct left_on of rows with status left; unit, position,
              specialisation, exit reason and benefit amounts are those of the latest
              snapshot that reports it (the final word on the exit and its payments).
    A leaver who stays on the roster for months while being paid is one exit, not one per
    snapshot; a person who drops off the roster after being paid keeps the last amounts.
#}

with

staff as (

    select * from {{ ref('stg_personnel_rosters__staff') }}

),

joinings as (

    select
        staff_code,
        joined_on as movement_on,
        unit_code,
        province_code,
        position,
        specialisation,
        snapshot_date,
        row_number() over (
            partition by
                staff_code,
                joined_on
            order by snapshot_date asc
        ) as report_rank
    from staff
    where joined_on is not null

),

exits as (

    select
        staff_code,
        left_on as movement_on,
        unit_code,
        province_code,
        position,
        specialisation,
        exit_reason,
        benefit_due_vnd,
        benefit_paid_vnd,
        snapshot_date,
        row_number() over (
            partition by
                staff_code,
                left_on
            order by snapshot_date desc
        ) as report_rank
    from staff
    where status = 'left'
        and left_on is not null

),

movements as (

    select
        staff_code,
        'joined' as movement,
        movement_on,
        unit_code,
        province_code,
        position,
        specialisation,
        cast(null as {{ dbt.type_string() }}) as exit_reason,
        cast(null as {{ dbt.type_bigint() }}) as benefit_due_vnd,
        cast(null as {{ dbt.type_bigint() }}) as benefit_paid_vnd,
        snapshot_date as reported_in_snapshot
    from joinings
    where report_rank = 1

    union all

    select
        staff_code,
        'left' as movement,
        movement_on,
        unit_code,
        province_code,
        position,
        specialisation,
        exit_reason,
        benefit_due_vnd,
        benefit_paid_vnd,
        snapshot_date as reported_in_snapshot
    from exits
    where report_rank = 1

),

final as (

    select
        {{ surrogate_key(['staff_code', 'movement', 'movement_on']) }} as movement_id,
        staff_code,
        movement,
        movement_on,
        {{ month_start('movement_on') }} as month_start,
        unit_code,
        province_code,
        position,
        specialisation,
        exit_reason,
        benefit_due_vnd,
        benefit_paid_vnd,
        reported_in_snapshot
    from movements

)

select * from final
