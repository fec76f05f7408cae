{{
    config(
        materialized='table'
    )
}}

{#
    A table, not a view: the dedupe window runs over every raw event (100 million rows a
    year at national scale) and several downstream models read the result; a view would
    redo the window for each of them.
#}

with

events as (

    -- the dossier's lifecycle only: complaints and feedback are stg_procedure_logs__feedback
    select * from {{ ref('base_procedure_logs__events') }}
    where event_type not in {{ feedback_event_types() }}

),

final as (

    select
        event_id,
        dossier_code,
        procedure_code,
        unit_code,
        province_code,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        channel,
        due_at,
        step_name,
        handler_ref,
        applicant_key,
        applicant_type,
        fee_paid_online,
        result_digitised,
        synced_to_portal,
        components_digitised,
        data_reused,
        satisfaction_score,
        file_id
    from events

)

select * from final
