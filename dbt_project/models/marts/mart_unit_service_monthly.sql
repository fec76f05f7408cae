{#
    The service indicators of the national index (Decision 766, docs/indicators.md A),
    one row per unit × month with any activity. Each measure is counted in its own month:
      received-based  the month of received_at
      finished-based  the month of finished_at
      open            each month end at which the dossier was still open
      satisfaction    the month the result was returned (when the rating is given)
      complaints      the month received; judged ones in the month of fct_feedback.judged_at
    Every rate is numerator ÷ denominator through macro `safe_divide` (null on 0).
#}

with

dossiers as (

    select * from {{ ref('fct_dossiers') }}

),

month_ends as (

    select * from {{ ref('int_dossier_month_ends_judged') }}

),

feedback as (

    select * from {{ ref('fct_feedback') }}

),

received as (

    select
        unit_code,
        province_code,
        {{ month_start('received_at') }} as month_start,
        count(*) as dossiers_received,
        sum(case when is_full_online_capable and is_fully_online then 1 else 0 end)
            as full_online_numerator,
        sum(case when is_full_online_capable then 1 else 0 end) as full_online_denominator,
        sum(case when fee_bearing and fee_paid_online then 1 else 0 end)
            as online_payment_numerator,
        sum(case when fee_bearing then 1 else 0 end) as online_payment_denominator,
        sum(case when is_online then 1 else 0 end) as online_numerator,
        sum(case when synced_to_portal then 1 else 0 end) as synced_numerator,
        sum(case when components_digitised then 1 else 0 end) as components_digitised_numerator,
        sum(case when data_reused then 1 else 0 end) as data_reused_numerator
    from dossiers
    where received_at is not null
    group by
        unit_code,
        province_code,
        {{ month_start('received_at') }}

),

finished as (

    -- judged dossiers only: received (the clock started) and finished
    select
        unit_code,
        province_code,
        {{ month_start('finished_at') }} as month_start,
        count(*) as dossiers_finished,
        sum(case when timeliness = 'early' then 1 else 0 end) as finished_early,
        sum(case when timeliness = 'on_time' then 1 else 0 end) as finished_on_time,
        sum(case when timeliness = 'overdue' then 1 else 0 end) as finished_overdue,
        -- average processing time of dossiers processed to a result (not rejected,
        -- withdrawn), in working days (docs/on_time_clock.md)
        sum(
            case
                when finish_event in ('completed', 'result_returned')
                    then processing_working_days
                else 0
            end
        ) as processing_days_sum,
        sum(
            case
                when finish_event in ('completed', 'result_returned') then 1
                else 0
            end
        ) as processing_days_count,
        -- completed = ended with a result; withdrawn and rejected dossiers are not completed
        sum(
            case
                when finish_event in ('completed', 'result_returned') then 1
                else 0
            end
        ) as dossiers_completed,
        sum(
            case
                when finish_event in ('completed', 'result_returned') and is_online then 1
                else 0
            end
        ) as completed_online,
        sum(
            case
                when finish_event in ('completed', 'result_returned') and result_digitised then 1
                else 0
            end
        ) as result_digitised_numerator,
        -- the working days promised to the same dossiers as processing_days_sum: the
        -- processing-time ratio, working days on both sides
        sum(
            case
                when finish_event in ('completed', 'result_returned')
                    then promised_working_days
                else 0
            end
        ) as promised_days_sum,
        -- the second moments of the same dossiers' days taken (Y) and promised (X): the
        -- spread of the processing-time ratio ΣY ÷ ΣX across dossiers, for its interval
        -- (macro ratio_delta_variance)
        sum(
            case
                when finish_event in ('completed', 'result_returned')
                    then processing_working_days * processing_working_days
                else 0
            end
        ) as processing_days_sq_sum,
        sum(
            case
                when finish_event in ('completed', 'result_returned')
                    then promised_working_days * promised_working_days
                else 0
            end
        ) as promised_days_sq_sum,
        sum(
            case
                when finish_event in ('completed', 'result_returned')
                    then processing_working_days * promised_working_days
                else 0
            end
        ) as processing_promised_days_sum
    from dossiers
    where received_at is not null
        and finished_at is not null
    group by
        unit_code,
        province_code,
        {{ month_start('finished_at') }}

),

open_at_month_end as (

    select
        unit_code,
        province_code,
        month_start,
        sum(case when not is_past_due then 1 else 0 end) as open_within_due,
        sum(case when is_past_due then 1 else 0 end) as open_past_due
    from month_ends
    group by
        unit_code,
        province_code,
        month_start

),

complaints as (

    select
        unit_code,
        province_code,
        {{ month_start('received_at') }} as month_start,
        count(*) as complaints_received
    from feedback
    group by
        unit_code,
        province_code,
        {{ month_start('received_at') }}

),

complaints_judged as (

    select
        unit_code,
        province_code,
        {{ month_start('judged_at') }} as month_start,
        count(*) as complaints_judged,
        sum(case when answered_on_time then 1 else 0 end) as complaints_answered_on_time
    from feedback
    where is_judged
    group by
        unit_code,
        province_code,
        {{ month_start('judged_at') }}

),

rated as (

    select
        unit_code,
        province_code,
        {{ month_start('coalesce(result_returned_at, finished_at)') }} as month_start,
        sum(case when satisfaction_score >= 4 then 1 else 0 end) as satisfaction_high,
        count(*) as satisfaction_rated
    from dossiers
    where satisfaction_score is not null
    group by
        unit_code,
        province_code,
        {{ month_start('coalesce(result_returned_at, finished_at)') }}

),

activity as (

-- one long list of partial counts, summed below: no full outer joins
    {{ union_partial_counts(
        keys=['unit_code', 'province_code', 'month_start'],
        parts={
            'received': [
                'dossiers_received',
                'full_online_numerator',
                'full_online_denominator',
                'online_payment_numerator',
                'online_payment_denominator',
                'online_numerator',
                'synced_numerator',
                'components_digitised_numerator',
                'data_reused_numerator',
            ],
            'finished': [
                'dossiers_finished',
                'finished_early',
                'finished_on_time',
                'finished_overdue',
                'processing_days_sum',
                'processing_days_count',
                'dossiers_completed',
                'completed_online',
                'result_digitised_numerator',
                'promised_days_sum',
                'processing_days_sq_sum',
                'promised_days_sq_sum',
                'processing_promised_days_sum',
            ],
            'open_at_month_end': ['open_within_due', 'open_past_due'],
            'rated': ['satisfaction_high', 'satisfaction_rated'],
            'complaints': ['complaints_received'],
            'complaints_judged': ['complaints_judged', 'complaints_answered_on_time'],
        }
    ) }}

),

unit_months as (

    select
        unit_code,
        province_code,
        month_start,
        cast(sum(dossiers_received) as {{ dbt.type_bigint() }}) as dossiers_received,
        cast(sum(dossiers_finished) as {{ dbt.type_bigint() }}) as dossiers_finished,
        cast(sum(finished_early) as {{ dbt.type_bigint() }}) as finished_early,
        cast(sum(finished_on_time) as {{ dbt.type_bigint() }}) as finished_on_time,
        cast(sum(finished_overdue) as {{ dbt.type_bigint() }}) as finished_overdue,
        cast(sum(open_within_due) as {{ dbt.type_bigint() }}) as open_within_due,
        cast(sum(open_past_due) as {{ dbt.type_bigint() }}) as open_past_due,
        cast(sum(full_online_numerator) as {{ dbt.type_bigint() }}) as full_online_numerator,
        cast(sum(full_online_denominator) as {{ dbt.type_bigint() }}) as full_online_denominator,
        cast(sum(online_payment_numerator) as {{ dbt.type_bigint() }}) as online_payment_numerator,
        cast(sum(online_payment_denominator) as {{ dbt.type_bigint() }})
            as online_payment_denominator,
        cast(sum(online_numerator) as {{ dbt.type_bigint() }}) as online_numerator,
        cast(sum(processing_days_sum) as {{ type_double() }}) as processing_days_sum,
        cast(sum(processing_days_count) as {{ dbt.type_bigint() }}) as processing_days_count,
        cast(sum(satisfaction_high) as {{ dbt.type_bigint() }}) as satisfaction_high,
        cast(sum(satisfaction_rated) as {{ dbt.type_bigint() }}) as satisfaction_rated,
        {%- for count in service_index_counts().split(',') %}
            cast(sum({{ count }}) as {{ dbt.type_bigint() }}) as {{ count }},
        {%- endfor %}
    {%- for days in processing_days_moments() %}
        cast(sum({{ days }}) as {{ type_double() }}) as {{ days }}{{ ',' if not loop.last }}
    {%- endfor %}
    from activity
    group by
        unit_code,
        province_code,
        month_start

),

final as (

    select
        unit_code,
        province_code,
        month_start,
        {{ service_measures() }}
    from unit_months

)

select * from final
