{#
    Budget per unit × fiscal year × period × flow × category (docs/indicators.md E): the
    budget items of a category summed. Amounts are the period's own (not year-to-date), so
    a year or the post-reform period is the sum of its periods.

    Incremental by period (macros/incremental.sql): a row sums the lines of its own period.
#}

{{ config(**incremental_config("{{ in_changed_months('period_start') }}")) }}

{%- set keys = [
    'unit_code', 'province_code', 'level', 'fiscal_year', 'period', 'period_start', 'flow',
    'category',
] %}

with

lines as (

    select * from {{ ref('stg_budget_allocations__lines') }}
    where {{ rows_to_rebuild(in_changed_months('period_start')) }}

),

final as (

    select
        {{ surrogate_key(['unit_code', 'fiscal_year', 'period', 'flow', 'category']) }}
            as budget_key,
        {{ keys | join(', ') }},
        count(*) as budget_lines,
        cast(sum(planned_vnd) as {{ dbt.type_bigint() }}) as planned_vnd,
        cast(sum(allocated_vnd) as {{ dbt.type_bigint() }}) as allocated_vnd,
        cast(sum(disbursed_vnd) as {{ dbt.type_bigint() }}) as disbursed_vnd,
        min(treasury_account_opened_on) as treasury_account_opened_on
    from lines
    group by {{ keys | join(', ') }}

)

select * from final
