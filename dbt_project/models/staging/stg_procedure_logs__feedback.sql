{#
    Complaints and feedback about a dossier (event types of macro `feedback_event_types`),
    deduped by the same business key as the lifecycle events. A handful of rows per
    thousand dossiers: a view.
#}

with

source as (

    select * from {{ source('raw', 'procedure_log_events') }}
    where lower(event_type) in {{ feedback_event_types() }}

),

renamed as (

    select
        _file_id as file_id,
        cast(_line_no as {{ dbt.type_bigint() }}) as line_no,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,
        dossier_code,
        procedure_code,
        unit_code,
        lower(event_type) as event_type,
        cast(event_at as {{ dbt.type_timestamp() }}) as event_at,
        lower(channel) as channel,
        cast(due_at as {{ dbt.type_timestamp() }}) as due_at,
        nullif(trim(step_name), '') as step_name,
        nullif(trim(handler_ref), '') as handler_ref
    from source

),

deduplicated as (

    {{ latest_by_business_key('renamed', [
        'dossier_code',
        'event_type',
        'event_at',
        "coalesce(step_name, '')",
    ]) }}

),

final as (

    select
        {{ surrogate_key([
            'deduplicated.dossier_code',
            'deduplicated.event_type',
            'deduplicated.event_at',
            'deduplicated.step_name',
        ]) }} as event_id,
        deduplicated.dossier_code,
        deduplicated.procedure_code,
        deduplicated.unit_code,
        deduplicated.province_code,
        deduplicated.event_type,
        deduplicated.event_at,
        deduplicated.channel,
        deduplicated.due_at,
        deduplicated.handler_ref,
        deduplicated.file_id
    from deduplicated

)

select * from final
