{#
    The fields of work personnel rosters carry: the six every commune-level unit needs
    (seed `required_specialisations`, docs/indicators.md D) and any other the rosters
    name (general_administration, agriculture, security, other …), which are not required.
#}

with

required as (

    select
        specialisation,
        specialisation_name_vi,
        description
    from {{ ref('required_specialisations') }}

),

on_rosters as (

    select distinct
        specialisation
    from {{ ref('stg_personnel_rosters__staff') }}
    where specialisation is not null

),

others as (

    select
        on_rosters.specialisation,
        cast(null as {{ dbt.type_string() }}) as specialisation_name_vi,
        cast(null as {{ dbt.type_string() }}) as description
    from on_rosters
    left join required
        on on_rosters.specialisation = required.specialisation
    where required.specialisation is null

),

final as (

    select
        specialisation,
        specialisation_name_vi,
        description,
        true as is_required
    from required

    union all

    select
        specialisation,
        specialisation_name_vi,
        description,
        false as is_required
    from others

)

select * from final
