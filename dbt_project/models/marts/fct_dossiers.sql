{#
    One row per dossier that has a submission or receipt event and whose events agree on
    unit and procedure; the others are listed in audit.dossier_rejects.
#}

with

dossiers as (

    select * from {{ ref('int_dossiers_timed') }}
    where reject_reason is null

),

procedures as (

    select
        procedure_code,
        is_full_online_capable,
        fee_bearing,
        is_devolved,
        devolved_on
    from {{ ref('dim_procedure') }}

),

final as (

    select
        dossiers.dossier_code,
        dossiers.procedure_code,
        dossiers.unit_code,
        dossiers.province_code,
        dossiers.channel,
        dossiers.applicant_type,
        dossiers.submitted_at,
        dossiers.received_at,
        dossiers.promised_at,
        dossiers.finished_at,
        dossiers.finish_event,
        dossiers.result_returned_at,
        dossiers.supplement_requests,
        dossiers.supplement_days,
        dossiers.processing_days,
        dossiers.processing_working_days,
        dossiers.promised_working_days,
        dossiers.timeliness,
        dossiers.channel in ('online_partial', 'online_full') as is_online,
        dossiers.channel = 'online_full' as is_fully_online,
        procedures.is_full_online_capable,
        procedures.fee_bearing,
        dossiers.fee_paid_online,
        dossiers.synced_to_portal,
        dossiers.components_digitised,
        dossiers.result_digitised,
        dossiers.data_reused,
        dossiers.satisfaction_score,
        -- a dossier of a devolved procedure lodged on or after the devolution date
        coalesce(
            procedures.is_devolved
            and (
                procedures.devolved_on is null
                or cast(coalesce(dossiers.received_at, dossiers.submitted_at) as date)
                >= procedures.devolved_on
            ),
            false
        ) as is_devolved
    from dossiers
    left join procedures
        on dossiers.procedure_code = procedures.procedure_code

)

select * from final
