-- The mart's finished and open counts add up to their sources: received and finished
-- fct_dossiers, and the judged month ends. Returns a row per measure that does not.

with

mart as (

    select
        coalesce(sum(dossiers_finished), 0) as dossiers_finished,
        coalesce(sum(open_within_due + open_past_due), 0) as dossiers_open
    from {{ ref('mart_unit_service_monthly') }}

),

finished as (

    select
        count(*) as dossiers_finished
    from {{ ref('fct_dossiers') }}
    where received_at is not null
        and finished_at is not null

),

month_ends as (

    select
        count(*) as dossiers_open
    from {{ ref('int_dossier_month_ends_judged') }}

),

compared as (

    select
        'dossiers_finished' as measure,
        mart.dossiers_finished as mart_value,
        finished.dossiers_finished as source_value
    from mart
    cross join finished

    union all

    select
        'open at month end' as measure,
        mart.dossiers_open as mart_value,
        month_ends.dossiers_open as source_value
    from mart
    cross join month_ends

)

select * from compared
where mart_value <> source_value
