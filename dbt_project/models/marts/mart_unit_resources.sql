{#
    Decentralisation matched with resources (docs/indicators.md E), one row per
    commune-level unit over the post-reform period: from var reform_date (1 July 2025) to
    the latest data of each source.
      workload   dossiers received since the reform (fct_dossiers.received_at), of which
                 devolved = the procedure is devolved (dim_procedure.is_devolved);
      staff      the unit's headcount in the latest roster snapshot of its province
                 (mart_unit_capacity_monthly); null when the province has no roster;
      money      expenditure lines of fct_budget from the reform's period on (period_start
                 >= reform_date); null when the unit has no expenditure line since then.
    Ranks are national (rank(): ties share a rank), over the commune-level units that have
    a workload and both resource measures (is_ranked); the others get null ranks. Windows
    are partitioned on is_ranked, so no ranking depends on an engine's null ordering.
#}

with

units as (

    select
        unit_code,
        province_code,
        unit_type,
        population
    from {{ ref('dim_admin_unit') }}
    where unit_level = 'commune'

),

procedures as (

    select
        procedure_code,
        is_devolved
    from {{ ref('dim_procedure') }}

),

workload as (

    select
        dossiers.unit_code,
        count(*) as dossiers_received,
        sum(case when procedures.is_devolved then 1 else 0 end) as devolved_dossiers
    from {{ ref('fct_dossiers') }} as dossiers
    inner join procedures
        on dossiers.procedure_code = procedures.procedure_code
    where dossiers.received_at >= cast('{{ var("reform_date") }}' as date)
    group by dossiers.unit_code

),

capacity as (

    select
        unit_code,
        month_start,
        headcount,
        handling_staff,
        row_number() over (
            partition by unit_code
            order by month_start desc
        ) as recency_rank
    from {{ ref('mart_unit_capacity_monthly') }}

),

latest_capacity as (

    select * from capacity
    where recency_rank = 1

),

budget as (

    select
        unit_code,
        sum(allocated_vnd) as expenditure_allocated_vnd,
        sum(disbursed_vnd) as expenditure_disbursed_vnd,
        sum(
            case when category = 'digital_transformation' then allocated_vnd else 0 end
        ) as digital_transformation_allocated_vnd
    from {{ ref('fct_budget') }}
    where flow = 'expenditure'
        and period_start >= cast('{{ var("reform_date") }}' as date)
    group by unit_code

),

treasury as (

    select
        unit_code,
        min(treasury_account_opened_on) as treasury_account_opened_on
    from {{ ref('fct_budget') }}
    group by unit_code

),

measures as (

    select
        units.unit_code,
        units.province_code,
        units.unit_type,
        units.population,
        latest_capacity.month_start as headcount_month_start,
        coalesce(workload.devolved_dossiers, 0) as devolved_dossiers,
        coalesce(workload.dossiers_received, 0) as dossiers_received,
        {{ safe_divide('coalesce(workload.devolved_dossiers, 0) * 10000', 'units.population') }}
            as devolved_dossiers_per_10k_residents,
        latest_capacity.headcount,
        latest_capacity.handling_staff,
        {{ safe_divide('latest_capacity.headcount * 10000', 'units.population') }}
            as staff_per_10k_residents,
        budget.expenditure_allocated_vnd,
        budget.expenditure_disbursed_vnd,
        budget.digital_transformation_allocated_vnd,
        {{ safe_divide('budget.expenditure_allocated_vnd', 'units.population') }}
            as allocated_vnd_per_resident,
        treasury.treasury_account_opened_on
    from units
    left join workload
        on units.unit_code = workload.unit_code
    left join latest_capacity
        on units.unit_code = latest_capacity.unit_code
    left join budget
        on units.unit_code = budget.unit_code
    left join treasury
        on units.unit_code = treasury.unit_code

),

comparable as (

    -- the units both rankings are taken over: a workload and both resource measures known
    -- (population > 0, a roster snapshot of the province, an expenditure line since the
    -- reform), so that the two ranks compare the same units
    select
        measures.*,
        devolved_dossiers_per_10k_residents is not null
        and staff_per_10k_residents is not null
        and allocated_vnd_per_resident is not null as is_ranked
    from measures

),

percentiles as (

    select
        comparable.*,
        rank() over (
            partition by is_ranked
            order by devolved_dossiers desc
        ) as workload_position,
        -- share of ranked units with a workload at least as heavy: ties stay together, so a
        -- tie straddling the 25% line is left out of the top quartile as a whole
        cume_dist() over (
            partition by is_ranked
            order by devolved_dossiers desc
        ) as workload_cume_dist,
        -- position of each resource measure among the ranked units, 0 (least) … 1 (most)
        percent_rank() over (
            partition by is_ranked
            order by headcount
        ) as staff_percentile,
        percent_rank() over (
            partition by is_ranked
            order by expenditure_allocated_vnd
        ) as allocation_percentile
    from comparable

),

scored as (

    select
        percentiles.*,
        case
            when is_ranked then (staff_percentile + allocation_percentile) / 2
        end as resource_score
    from percentiles

),

ranked as (

    select
        scored.*,
        case when is_ranked then workload_position end as workload_rank,
        count(*) over (partition by is_ranked) as ranked_units,
        case when is_ranked then workload_cume_dist <= 0.25 else false end
            as is_top_workload_quartile,
        case
            when is_ranked then rank() over (
                    partition by is_ranked
                    order by resource_score desc
                )
        end as resource_rank
    from scored

),

final as (

    select
        unit_code,
        province_code,
        unit_type,
        population,
        cast('{{ var("reform_date") }}' as date) as period_start,
        headcount_month_start,
        cast(devolved_dossiers as {{ dbt.type_bigint() }}) as devolved_dossiers,
        cast(dossiers_received as {{ dbt.type_bigint() }}) as dossiers_received,
        devolved_dossiers_per_10k_residents,
        cast(headcount as {{ dbt.type_bigint() }}) as headcount,
        cast(handling_staff as {{ dbt.type_bigint() }}) as handling_staff,
        staff_per_10k_residents,
        cast(expenditure_allocated_vnd as {{ dbt.type_bigint() }}) as expenditure_allocated_vnd,
        cast(expenditure_disbursed_vnd as {{ dbt.type_bigint() }}) as expenditure_disbursed_vnd,
        cast(digital_transformation_allocated_vnd as {{ dbt.type_bigint() }})
            as digital_transformation_allocated_vnd,
        {{ safe_divide('digital_transformation_allocated_vnd', 'expenditure_allocated_vnd') }}
            as digital_transformation_share,
        {{ safe_divide('expenditure_disbursed_vnd', 'expenditure_allocated_vnd') }}
            as budget_execution_rate,
        allocated_vnd_per_resident,
        {{ safe_divide('headcount * 1000', 'devolved_dossiers') }}
            as staff_per_1000_devolved_dossiers,
        {{ safe_divide('expenditure_allocated_vnd', 'devolved_dossiers') }}
            as allocated_vnd_per_devolved_dossier,
        cast(workload_rank as {{ dbt.type_bigint() }}) as workload_rank,
        is_top_workload_quartile,
        cast(resource_score as {{ type_double() }}) as resource_score,
        cast(resource_rank as {{ dbt.type_bigint() }}) as resource_rank,
        cast(resource_rank - workload_rank as {{ dbt.type_bigint() }}) as resource_gap,
        coalesce(
            is_top_workload_quartile
            and resource_rank - workload_rank
            >= {{ var('resource_gap_min_rank_share', 0.3) }} * ranked_units,
            false
        ) as resource_gap_flag,
        treasury_account_opened_on
    from ranked

)

select * from final
