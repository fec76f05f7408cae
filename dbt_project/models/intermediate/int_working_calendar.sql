{#
    The working-day numbering the working-time macros join on (macros/working_time.sql,
    docs/on_time_clock.md): one row per calendar day of dim_date. Built once as a table,
    so the dossier models join a stored calendar rather than re-numbering it in each query.
#}

with

days as (

    select
        date_day,
        is_working_day
    from {{ ref('dim_date') }}

),

final as (

    -- working_days_before: working days strictly before the date, which is also the
    -- 0-based index of a working day and, for a closed day, the index of the next working
    -- day (its clock starts there)
    select
        date_day,
        is_working_day,
        cast(
            sum(case when is_working_day then 1 else 0 end)
                over (
                    order by date_day
                    rows between unbounded preceding and current row
                )
            - case when is_working_day then 1 else 0 end
            as {{ dbt.type_bigint() }}
        ) as working_days_before
    from days

)

select * from final
