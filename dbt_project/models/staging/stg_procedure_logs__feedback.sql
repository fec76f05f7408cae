{#
    Complaints and feedback about a dossier (event types of macro `feedback_event_types`),
    from the same deduped events as the lifecycle (base_procedure_logs__events). A handful
    of rows per thousand dossiers: a view.
#}

with

feedback as (

    select * from {{ ref('base_procedure_logs__events') }}
    where event_type in {{ feedback_event_types() }}

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
        channel,
        due_at,
        handler_ref,
        file_id
    from feedback

)

select * from final
