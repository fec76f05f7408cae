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

reports as (

    -- each snapshot row that reports a movement: a joining by its joined_on, an exit by
    -- its left_on (rows with status left)
    select
        'joined' as movement,
        joined_on as movement_on,
        staff.*
    from staff
    where joined_on is not null

    union all

    select
        'left' as movement,
        left_on as movement_on,
        staff.*
    from staff
    where status = 'left'
        and left_on is not null

),

ranked as (

    -- the report that speaks for a movement: a joining's earliest snapshot, an exit's latest
    select
        reports.*,
        row_number() over (
            partition by
                staff_code,
                movement,
                movement_on
            order by
                case when movement = 'joined' then snapshot_date end asc,
                snapshot_date desc
        ) as report_rank
    from reports

),

movements as (

    -- a joining carries no exit details, even when its reporting row is a leaver's
    select
        staff_code,
        movement,
        movement_on,
        unit_code,
        province_code,
        position,
        specialisation,
        case when movement = 'left' then exit_reason end as exit_reason,
        case when movement = 'left' then benefit_due_vnd end as benefit_due_vnd,
        case when movement = 'left' then benefit_paid_vnd end as benefit_paid_vnd,
        snapshot_date as reported_in_snapshot
    from ranked
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
