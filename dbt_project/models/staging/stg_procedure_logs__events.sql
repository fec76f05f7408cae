{{ config(**incremental_config("{{ in_changed_months('event_date') }}")) }}

{#
    A table, not a view: the dedupe window runs over every raw event (100 million rows a
    year at national scale) and several downstream models read the result; a view would
    redo the window for each of them.

    Incremental by event month (macros/incremental.sql): the business key holds event_at,
    so the dedupe of a month's events reads only that month's raw rows, and a delivery holds
    the events of its month. int_changed_dossiers records, before this model runs, which
    dossiers had or have events in the changed months, so it runs first:
#}
-- depends_on: {{ ref('int_changed_dossiers') }}

with

events as (

    -- the dossier's lifecycle only: complaints and feedback are stg_procedure_logs__feedback
    select * from {{ ref('base_procedure_logs__events') }}
    where event_type not in {{ feedback_event_types() }}
        and {{ rows_to_rebuild(in_changed_months('event_at')) }}

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
