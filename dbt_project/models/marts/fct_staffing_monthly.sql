{#
    Commune staffing per unit × month × position × specialisation (docs/indicators.md D).
      stocks     from the month's roster snapshot of the unit's province (the latest one of
                 the month, should a province deliver two): headcount = status active or
                 on_leave, active_staff = status active;
      movements  from int_staff_movements, in the month of the movement date: joiners
                 (joined_on), leavers by exit reason (left_on) and the benefits due to and
                 paid to those leavers (latest amounts reported).
    Movement months outside the calendar (vars calendar_start .. calendar_end) are left out:
    the joining dates of long-serving staff are not a flow of the period.
#}

{%- set keys = ['unit_code', 'province_code', 'month_start', 'position', 'specialisation'] %}
{%- set exit_reasons = ['early_retirement', 'resignation', 'retirement', 'transfer', 'dismissal'] %}
{%- set stock_measures = ['headcount', 'active_staff'] %}
{%- set flow_measures = ['joiners', 'leavers_total'] %}
{%- for reason in exit_reasons %}
    {%- do flow_measures.append('leavers_' ~ reason) %}
{%- endfor %}
{%- do flow_measures.extend(['benefits_due_vnd', 'benefits_paid_vnd']) %}

with

staff as (

    select * from {{ ref('stg_personnel_rosters__staff') }}

),

movements as (

    select * from {{ ref('int_staff_movements') }}
    where month_start >= cast('{{ var("calendar_start") }}' as date)
        and month_start <= cast('{{ var("calendar_end") }}' as date)

),

month_snapshots as (

    -- one snapshot per province and month: the latest of the month
    {{ latest_snapshot_of_month('staff') }}

),

stocks as (

    select
        {{ keys | join(', ') }},
        count(*) as headcount,
        sum(case when status = 'active' then 1 else 0 end) as active_staff
    from month_snapshots
    where status in ('active', 'on_leave')
    group by {{ keys | join(', ') }}

),

flows as (

    select
        {{ keys | join(', ') }},
        sum(case when movement = 'joined' then 1 else 0 end) as joiners,
        sum(case when movement = 'left' then 1 else 0 end) as leavers_total,
        {%- for reason in exit_reasons %}
            sum(case when movement = 'left' and exit_reason = '{{ reason }}' then 1 else 0 end)
                as leavers_{{ reason }},
        {%- endfor %}
        sum(case when movement = 'left' then coalesce(benefit_due_vnd, 0) else 0 end)
            as benefits_due_vnd,
        sum(case when movement = 'left' then coalesce(benefit_paid_vnd, 0) else 0 end)
            as benefits_paid_vnd
    from movements
    group by {{ keys | join(', ') }}

),

activity as (

-- one long list of partial counts, summed below: no full outer joins
    {{ union_partial_counts(
        keys=keys,
        parts={'stocks': stock_measures, 'flows': flow_measures}
    ) }}

),

final as (

    select
        {{ surrogate_key(['unit_code', 'month_start', 'position', 'specialisation']) }}
            as staffing_month_key,
        {{ keys | join(', ') }},
    {%- for measure in stock_measures + flow_measures %}
        cast(sum({{ measure }}) as {{ dbt.type_bigint() }}) as {{ measure }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from activity
    group by {{ keys | join(', ') }}

)

select * from final
