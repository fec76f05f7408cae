-- Nothing is lost between the events and the facts: every dossier of the staged events is
-- in exactly one of fct_dossiers and audit.dossier_rejects. Returns the exceptions.

with

event_dossiers as (

    select distinct
        dossier_code
    from {{ ref('stg_procedure_logs__events') }}

),

placed as (

    select
        dossier_code,
        'fact' as placement
    from {{ ref('fct_dossiers') }}

    union all

    select
        dossier_code,
        'reject' as placement
    from {{ ref('dossier_rejects') }}

),

placements as (

    select
        event_dossiers.dossier_code,
        count(placed.dossier_code) as placement_count
    from event_dossiers
    left join placed
        on event_dossiers.dossier_code = placed.dossier_code
    group by event_dossiers.dossier_code

)

select * from placements
where placement_count <> 1
