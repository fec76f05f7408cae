{#
    One row per supplement request made during processing (at or after the dossier's first
    receipt), paired with the moment the applicant's wait ended. The clipping to the end of
    processing or to a judgement date happens where that moment is known
    (int_dossiers_timed, int_dossier_month_ends_judged).
#}

with

events as (

    select
        dossier_code,
        event_type,
        event_at
    from {{ ref('stg_procedure_logs__events') }}
    where event_type in ('received', 'supplement_requested', 'supplement_received')

),

receipts as (

    select
        dossier_code,
        min(event_at) as received_at
    from events
    where event_type = 'received'
    group by dossier_code

),

requests as (

    select
        events.dossier_code,
        events.event_at as requested_at
    from events
    left join receipts
        on events.dossier_code = receipts.dossier_code
    where events.event_type = 'supplement_requested'
        -- a request before receipt is part of lodging the dossier, not of processing it
        and (receipts.received_at is null or events.event_at >= receipts.received_at)

),

sequenced as (

    select
        dossier_code,
        requested_at,
        row_number() over (
            partition by dossier_code
            order by requested_at
        ) as request_seq,
        lead(requested_at) over (
            partition by dossier_code
            order by requested_at
        ) as next_requested_at
    from requests

),

supplies as (

    select
        dossier_code,
        event_at as supplied_at
    from events
    where event_type = 'supplement_received'

),

first_supply_after_request as (

    select
        sequenced.dossier_code,
        sequenced.request_seq,
        min(supplies.supplied_at) as supplied_at
    from sequenced
    inner join supplies
        on sequenced.dossier_code = supplies.dossier_code
        and supplies.supplied_at >= sequenced.requested_at
    group by
        sequenced.dossier_code,
        sequenced.request_seq

),

final as (

    select
        sequenced.dossier_code,
        sequenced.request_seq,
        sequenced.requested_at,
        sequenced.next_requested_at,
        first_supply_after_request.supplied_at,
        -- the wait ends when the applicant supplies, or when the next request starts a new
        -- wait (so back-to-back requests never count the same hours twice)
        case
            when first_supply_after_request.supplied_at is not null
                and (
                    sequenced.next_requested_at is null
                    or first_supply_after_request.supplied_at <= sequenced.next_requested_at
                )
                then first_supply_after_request.supplied_at
            else sequenced.next_requested_at
        end as wait_ended_at
    from sequenced
    left join first_supply_after_request
        on sequenced.dossier_code = first_supply_after_request.dossier_code
        and sequenced.request_seq = first_supply_after_request.request_seq

)

select * from final
