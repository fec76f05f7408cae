{#
    Commune capacity (docs/indicators.md D), one row per commune-level unit × month in
    which the unit's province delivered a roster snapshot; a unit with nobody on the
    snapshot has a row with headcount 0. Stocks and flows come from fct_staffing_monthly,
    the service workload from mart_unit_service_monthly, the benefits of leavers since the
    reform from int_staff_exit_benefits_as_of. Every rate is numerator ÷ denominator
    through macro `safe_divide` (null on 0: Hoàng Sa has population 0).
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

snapshot_months as (

    select distinct
        province_code,
        month_start
    from {{ ref('stg_personnel_rosters__staff') }}

),

unit_months as (

    select
        units.unit_code,
        units.province_code,
        units.unit_type,
        units.population,
        snapshot_months.month_start
    from units
    inner join snapshot_months
        on units.province_code = snapshot_months.province_code

),

staffing as (

    select * from {{ ref('fct_staffing_monthly') }}

),

staffing_totals as (

    select
        unit_code,
        month_start,
        sum(headcount) as headcount,
        sum(case when position in ('civil_servant', 'cadre') then headcount else 0 end)
            as handling_staff,
        sum(joiners) as joiners,
        sum(leavers_total) as leavers_total,
        sum(leavers_early_retirement) as leavers_early_retirement,
        sum(leavers_resignation) as leavers_resignation,
        sum(leavers_retirement) as leavers_retirement,
        sum(leavers_transfer) as leavers_transfer,
        sum(leavers_dismissal) as leavers_dismissal,
        sum(benefits_due_vnd) as benefits_due_vnd,
        sum(benefits_paid_vnd) as benefits_paid_vnd
    from staffing
    group by
        unit_code,
        month_start

),

required_specialisations as (

    select
        specialisation
    from {{ ref('dim_specialisation') }}
    where is_required

),

required_count as (

    select
        count(*) as specialisations_required
    from required_specialisations

),

filled as (

    -- required specialisations with at least one person at work (status active; on leave
    -- does not fill a post) in the month's snapshot
    select
        staffing.unit_code,
        staffing.month_start,
        count(distinct staffing.specialisation) as specialisations_filled
    from staffing
    inner join required_specialisations
        on staffing.specialisation = required_specialisations.specialisation
    where staffing.active_staff > 0
    group by
        staffing.unit_code,
        staffing.month_start

),

norms as (

    select
        unit_type,
        population_min,
        population_max,
        staff_norm
    from {{ ref('staffing_norms') }}

),

service as (

    select
        unit_code,
        month_start,
        dossiers_finished
    from {{ ref('mart_unit_service_monthly') }}

),

benefits as (

    select
        unit_code,
        month_start,
        sum(coalesce(benefit_due_vnd, 0)) as benefits_due_since_reform_vnd,
        sum(coalesce(benefit_paid_vnd, 0)) as benefits_paid_since_reform_vnd,
        sum(case when settled_month_start is not null then 1 else 0 end) as benefit_settled_leavers,
        sum(delay_months) as benefit_delay_months_sum
    from {{ ref('int_staff_exit_benefits_as_of') }}
    group by
        unit_code,
        month_start

),

joined as (

    select
        unit_months.unit_code,
        unit_months.province_code,
        unit_months.unit_type,
        unit_months.month_start,
        unit_months.population,
        coalesce(staffing_totals.headcount, 0) as headcount,
        norms.staff_norm,
        required_count.specialisations_required,
        coalesce(filled.specialisations_filled, 0) as specialisations_filled,
        coalesce(staffing_totals.handling_staff, 0) as handling_staff,
        coalesce(service.dossiers_finished, 0) as dossiers_finished,
        coalesce(staffing_totals.joiners, 0) as joiners,
        coalesce(staffing_totals.leavers_total, 0) as leavers_total,
        coalesce(staffing_totals.leavers_early_retirement, 0) as leavers_early_retirement,
        coalesce(staffing_totals.leavers_resignation, 0) as leavers_resignation,
        coalesce(staffing_totals.leavers_retirement, 0) as leavers_retirement,
        coalesce(staffing_totals.leavers_transfer, 0) as leavers_transfer,
        coalesce(staffing_totals.leavers_dismissal, 0) as leavers_dismissal,
        coalesce(staffing_totals.benefits_due_vnd, 0) as benefits_due_vnd,
        coalesce(staffing_totals.benefits_paid_vnd, 0) as benefits_paid_vnd,
        coalesce(benefits.benefits_due_since_reform_vnd, 0) as benefits_due_since_reform_vnd,
        coalesce(benefits.benefits_paid_since_reform_vnd, 0) as benefits_paid_since_reform_vnd,
        coalesce(benefits.benefit_settled_leavers, 0) as benefit_settled_leavers,
        coalesce(benefits.benefit_delay_months_sum, 0) as benefit_delay_months_sum
    from unit_months
    cross join required_count
    left join staffing_totals
        on unit_months.unit_code = staffing_totals.unit_code
        and unit_months.month_start = staffing_totals.month_start
    left join filled
        on unit_months.unit_code = filled.unit_code
        and unit_months.month_start = filled.month_start
    left join norms
        on unit_months.unit_type = norms.unit_type
        and unit_months.population >= norms.population_min
        and (norms.population_max is null or unit_months.population < norms.population_max)
    left join service
        on unit_months.unit_code = service.unit_code
        and unit_months.month_start = service.month_start
    left join benefits
        on unit_months.unit_code = benefits.unit_code
        and unit_months.month_start = benefits.month_start

),

final as (

    select
        unit_code,
        province_code,
        unit_type,
        month_start,
        population,
        cast(headcount as {{ dbt.type_bigint() }}) as headcount,
        {{ safe_divide('headcount * 10000', 'population') }} as staff_per_10k_residents,
        staff_norm,
        cast(headcount - staff_norm as {{ dbt.type_bigint() }}) as staff_norm_gap,
        cast(specialisations_required as {{ dbt.type_bigint() }}) as specialisations_required,
        cast(specialisations_filled as {{ dbt.type_bigint() }}) as specialisations_filled,
        {{ safe_divide('specialisations_filled', 'specialisations_required') }}
            as specialist_coverage,
        cast(handling_staff as {{ dbt.type_bigint() }}) as handling_staff,
        cast(dossiers_finished as {{ dbt.type_bigint() }}) as dossiers_finished,
        {{ safe_divide('dossiers_finished', 'handling_staff') }} as workload_per_handling_staff,
        cast(joiners as {{ dbt.type_bigint() }}) as joiners,
        cast(leavers_total as {{ dbt.type_bigint() }}) as leavers_total,
        cast(leavers_early_retirement as {{ dbt.type_bigint() }}) as leavers_early_retirement,
        cast(leavers_resignation as {{ dbt.type_bigint() }}) as leavers_resignation,
        cast(leavers_retirement as {{ dbt.type_bigint() }}) as leavers_retirement,
        cast(leavers_transfer as {{ dbt.type_bigint() }}) as leavers_transfer,
        cast(leavers_dismissal as {{ dbt.type_bigint() }}) as leavers_dismissal,
        cast(benefits_due_vnd as {{ dbt.type_bigint() }}) as benefits_due_vnd,
        cast(benefits_paid_vnd as {{ dbt.type_bigint() }}) as benefits_paid_vnd,
        cast(benefits_due_since_reform_vnd as {{ dbt.type_bigint() }})
            as benefits_due_since_reform_vnd,
        cast(benefits_paid_since_reform_vnd as {{ dbt.type_bigint() }})
            as benefits_paid_since_reform_vnd,
        {{ safe_divide('benefits_paid_since_reform_vnd', 'benefits_due_since_reform_vnd') }}
            as benefit_payment_ratio,
        cast(benefit_settled_leavers as {{ dbt.type_bigint() }}) as benefit_settled_leavers,
        cast(benefit_delay_months_sum as {{ dbt.type_bigint() }}) as benefit_delay_months_sum,
        {{ safe_divide('benefit_delay_months_sum', 'benefit_settled_leavers') }}
            as benefit_delay_months_avg
    from joined

)

select * from final
