{#
    The dossiers whose events can have changed in this run (macros/incremental.sql): those
    with an event in a changed month in raw now (added or corrected deliveries), and those
    that had one in the staged events of the previous build (corrected or retracted ones:
    their old events are gone from raw). It runs before stg_procedure_logs__events replaces
    those months, so it still reads the previous build's events. The dossier-level models
    (int_dossiers_timed, int_dossier_steps) rebuild exactly these dossiers.

    Empty when the var is not given (every condition below is then false): every model
    computes everything anyway.
#}

with

events_now as (

    select dossier_code
    from {{ ref('base_procedure_logs__events') }}
    where {{ in_changed_months('event_at') }}

),

events_before as (

    {{ rows_of_previous_build(
        'staging', 'stg_procedure_logs__events', 'dossier_code', in_changed_months('event_date')
    ) }}

),

changed as (

    select dossier_code from events_now
    union
    select dossier_code from events_before

),

final as (

    select distinct dossier_code
    from changed

)

select * from final
