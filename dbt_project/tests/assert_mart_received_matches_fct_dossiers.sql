-- Every received fact dossier is counted once in the mart: the sum of dossiers_received
-- equals the number of fct_dossiers rows with a received_at. Returns a row when not.

with

mart as (

    select
        coalesce(sum(dossiers_received), 0) as dossiers_received
    from {{ ref('mart_unit_service_monthly') }}

),

facts as (

    select
        count(*) as dossiers_received
    from {{ ref('fct_dossiers') }}
    where received_at is not null

)

select
    mart.dossiers_received as mart_dossiers_received,
    facts.dossiers_received as fct_dossiers_received
from mart
cross join facts
where mart.dossiers_received <> facts.dossiers_received
