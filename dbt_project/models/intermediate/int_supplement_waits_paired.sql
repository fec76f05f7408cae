{#
    One row per supplement request made during processing (at or after the dossier's first
    receipt), with the moment the applicant's wait ended and its length in calendar and
    working time (docs/on_time_clock.md). A wait ends at the dossier's first later event,
    whatever its type: the supplement received, the next processing step (status-code
    exports never log a supplement received), the end of processing, or a new request. A
    wait with no later event is still running: the consumers count it up to the moment they
    judge (int_dossier_month_ends_judged).
#}

with

events as (

    select
        dossier_code,
        event_type,
        event_at
    from {{ ref('stg_procedure_logs__events') }}

),

working_calendar as (

    select * from {{ ref('int_working_calendar') }}

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

following_events as (

    -- the first event after each request ends its wait; the first supplement received at
    -- or after it is kept for reference
    select
        sequenced.dossier_code,
        sequenced.request_seq,
        min(
            case when events.event_at > sequenced.requested_at then events.event_at end
        ) as wait_ended_at,
        min(
            case when events.event_type = 'supplement_received' then events.event_at end
        ) as supplied_at
    from sequenced
    inner join events
        on sequenced.dossier_code = events.dossier_code
        and sequenced.requested_at <= events.event_at
    group by
        sequenced.dossier_code,
        sequenced.request_seq

),

paired as (

    select
        sequenced.dossier_code,
        sequenced.request_seq,
        sequenced.requested_at,
        sequenced.next_requested_at,
        following_events.supplied_at,
        following_events.wait_ended_at
    from sequenced
    left join following_events
        on sequenced.dossier_code = following_events.dossier_code
        and sequenced.request_seq = following_events.request_seq

),

final as (

    select
        paired.dossier_code,
        paired.request_seq,
        paired.requested_at,
        paired.next_requested_at,
        paired.supplied_at,
        paired.wait_ended_at,
        cast(
            {{ dbt.datediff('paired.requested_at', 'paired.wait_ended_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as wait_seconds,
        case
            when paired.wait_ended_at is not null
                then {{ working_seconds_between(
                    working_second('paired.requested_at', 'request_day'),
                    working_second('paired.wait_ended_at', 'end_day'),
                    'paired.requested_at',
                    'paired.wait_ended_at'
                ) }}
        end as wait_working_seconds
    from paired
    left join working_calendar as request_day
        on cast(paired.requested_at as date) = request_day.date_day
    left join working_calendar as end_day
        on cast(paired.wait_ended_at as date) = end_day.date_day

)

select * from final
