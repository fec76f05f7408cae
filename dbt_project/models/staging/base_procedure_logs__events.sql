{#
    Every procedure-log event, typed and deduped by business key (a corrected file supersedes
    by business key; latest file wins): the one place both staging models of the procedure
    logs read, the dossier's lifecycle (stg_procedure_logs__events) and its complaints and
    feedback (stg_procedure_logs__feedback). A view: each of the two reads it once.
#}

with

source as (

    select * from {{ source('raw', 'procedure_log_events') }}

),

renamed as (

    select
        {{ landed_row_columns() }},
        dossier_code,
        procedure_code,
        unit_code,
        lower(event_type) as event_type,
        cast(event_at as {{ dbt.type_timestamp() }}) as event_at,
        lower(channel) as channel,
        cast(due_at as {{ dbt.type_timestamp() }}) as due_at,
        nullif(trim(step_name), '') as step_name,
        nullif(trim(handler_ref), '') as handler_ref,
        nullif(trim(applicant_key), '') as applicant_key,
        nullif(lower(trim(applicant_type)), '') as applicant_type,
        cast(fee_paid_online as {{ dbt.type_boolean() }}) as fee_paid_online,
        cast(result_digitised as {{ dbt.type_boolean() }}) as result_digitised,
        cast(synced_to_portal as {{ dbt.type_boolean() }}) as synced_to_portal,
        cast(components_digitised as {{ dbt.type_boolean() }}) as components_digitised,
        cast(data_reused as {{ dbt.type_boolean() }}) as data_reused,
        cast(satisfaction_score as {{ dbt.type_int() }}) as satisfaction_score
    from source

),

deduplicated as (

-- a corrected file supersedes by business key; province_code by the record's date
    {{ latest_by_business_key('renamed', [
        'dossier_code',
        'event_type',
        'event_at',
        "coalesce(step_name, '')",
    ], 'ranked.event_at') }}

),

final as (

    select
        {{ surrogate_key([
            'dossier_code',
            'event_type',
            'event_at',
            'step_name',
        ]) }} as event_id,
        *
    from deduplicated

)

select * from final
