with

catalogue as (

    select * from {{ ref('procedure_catalogue') }}

),

renamed as (

    select
        procedure_code,
        procedure_name,
        sector,
        level,
        cast(statutory_days as {{ dbt.type_int() }}) as statutory_days,
        online_capability,
        cast(fee_bearing as {{ dbt.type_boolean() }}) as fee_bearing,
        nullif(trim(cast(devolved_from as {{ dbt.type_string() }})), '') as devolved_from,
        cast(nullif(trim(cast(devolved_on as {{ dbt.type_string() }})), '') as date) as devolved_on,
        status
    from catalogue

),

final as (

    select
        procedure_code,
        procedure_name,
        sector,
        level,
        statutory_days,
        online_capability,
        online_capability = 'full' as is_full_online_capable,
        fee_bearing,
        devolved_from,
        devolved_on,
        devolved_from is not null as is_devolved,
        status
    from renamed

)

select * from final
