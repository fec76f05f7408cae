{#
    One row per complaint about a dossier: the n-th complaint_received of a dossier is
    answered by its n-th complaint_answered. A complaint is judged once it has been
    answered or its due date has passed before the data cut-off (the last lifecycle event):
    answered on time when answered on or before the due date (dates decide, as for dossiers),
    judged at the answer if on time, else at the due date.
#}

with

events as (

    select * from {{ ref('stg_procedure_logs__feedback') }}

),

cut_off as (

    select cast(max(event_at) as date) as cut_off_date
    from {{ ref('stg_procedure_logs__events') }}

),

numbered as (

    select
        events.*,
        row_number() over (
            partition by dossier_code, event_type
            order by event_at, event_id
        ) as complaint_number
    from events

),

received as (

    select * from numbered
    where event_type = 'complaint_received'

),

answered as (

    select * from numbered
    where event_type = 'complaint_answered'

),

paired as (

    select
        received.dossier_code,
        received.complaint_number,
        received.procedure_code,
        received.unit_code,
        received.province_code,
        received.channel,
        received.event_at as received_at,
        received.due_at,
        answered.event_at as answered_at,
        cut_off.cut_off_date
    from received
    cross join cut_off
    left join answered
        on received.dossier_code = answered.dossier_code
        and received.complaint_number = answered.complaint_number

),

final as (

    select
        {{ surrogate_key(['dossier_code', 'complaint_number']) }} as complaint_id,
        dossier_code,
        complaint_number,
        procedure_code,
        unit_code,
        province_code,
        channel,
        received_at,
        due_at,
        answered_at,
        answered_at is not null as is_answered,
        due_at is not null
        and (answered_at is not null or cast(due_at as date) < cut_off_date) as is_judged,
        case
            when due_at is null then null
            when answered_at is not null
                then cast(answered_at as date) <= cast(due_at as date)
            when cast(due_at as date) < cut_off_date then false
        end as answered_on_time,
        -- when the verdict became known: the answer if on time, else the due date; never
        -- after the data cut-off, so no complaint opens a month the dossiers have not reached
        case
            when due_at is null then null
            when answered_at is not null and cast(answered_at as date) <= cast(due_at as date)
                then answered_at
            when answered_at is not null or cast(due_at as date) < cut_off_date then due_at
        end as judged_at
    from paired

)

select * from final
