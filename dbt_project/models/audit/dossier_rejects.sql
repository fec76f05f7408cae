{#
    Dossiers that are not facts, one row each with the first reason that applies
    (the reasons are decided once, in int_dossiers_timed).
#}

with

dossiers as (

    select * from {{ ref('int_dossiers_timed') }}
    where reject_reason is not null

),

final as (

    select
        dossier_code,
        reject_reason as reason
    from dossiers

)

select * from final
