{#
    The calendar, one row per day from 2024-01-01 to 2027-12-31 (project vars
    calendar_start / calendar_end): twelve months of history before the 1 July 2025 reform
    and room ahead. Working days follow the state administration's week (Monday–Friday)
    less the public holidays of the holidays seed.
#}

with

days as (

    {{ day_spine(var('calendar_start'), var('calendar_end')) }}

),

holidays as (

    -- one name per date, should the seed list two observances on one day
    select
        cast(holiday_date as date) as holiday_date,
        min(holiday_name) as holiday_name
    from {{ ref('holidays') }}
    group by cast(holiday_date as date)

),

calendar as (

    select
        days.date_day,
        {{ month_start('days.date_day') }} as month_start,
        cast({{ dbt.date_trunc('quarter', 'days.date_day') }} as date) as quarter_start,
        cast(extract(year from days.date_day) as {{ dbt.type_int() }}) as year,
        cast(extract(month from days.date_day) as {{ dbt.type_int() }}) as month_of_year,
        {{ day_of_week_iso('days.date_day') }} as day_of_week,
        holidays.holiday_name
    from days
    left join holidays
        on days.date_day = holidays.holiday_date

),

final as (

    select
        date_day,
        month_start,
        quarter_start,
        year,
        month_of_year,
        day_of_week,
        day_of_week in (6, 7) as is_weekend,
        holiday_name is not null as is_holiday,
        holiday_name,
        day_of_week not in (6, 7) and holiday_name is null as is_working_day,
        case
            when date_day < cast('{{ var("reform_date") }}' as date) then 'before'
            else 'after'
        end as reform_period
    from calendar

)

select * from final
