{#
    Commune-level units that opened a State Treasury account, by month opened, and the
    running total against every commune-level unit (mart_unit_resources).
#}

with

resources as (

    select * from {{ ref('mart_unit_resources') }}

),

units as (

    select
        cast(count(*) as {{ dbt.type_bigint() }}) as units
    from resources

),

opened as (

    select
        {{ month_start('treasury_account_opened_on') }} as month_start,
        cast(count(*) as {{ dbt.type_bigint() }}) as opened
    from resources
    where treasury_account_opened_on is not null
    group by {{ month_start('treasury_account_opened_on') }}

),

final as (

    select
        opened.month_start,
        opened.opened,
        cast(sum(opened.opened) over (order by opened.month_start) as {{ dbt.type_bigint() }})
            as opened_cumulative,
        units.units
    from opened
    cross join units

)

select * from final
