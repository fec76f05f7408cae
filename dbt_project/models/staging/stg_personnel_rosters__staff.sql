{#
    A table, incremental by snapshot month (macros/incremental.sql), not a view: the dedupe
    window over every roster row ran again for each reader and each data test. The business
    key holds the snapshot date, so a month's rows dedupe from that month's raw rows alone.
#}

{{ config(**incremental_config("{{ in_changed_months('snapshot_date') }}")) }}

with

source as (

    select * from {{ source('raw', 'personnel_roster_rows') }}

),

renamed as (

    select
        {{ landed_row_columns() }},
        cast(snapshot_date as date) as snapshot_date,
        staff_code,
        nullif(trim(national_id_key), '') as national_id_key,
        nullif(trim(age_band), '') as age_band,
        unit_code,
        lower(position) as position,
        nullif(lower(trim(specialisation)), '') as specialisation,
        nullif(trim(qualification), '') as qualification,
        cast(salary_coefficient as {{ type_double() }}) as salary_coefficient,
        lower(status) as status,
        cast(joined_on as date) as joined_on,
        cast(left_on as date) as left_on,
        nullif(lower(trim(exit_reason)), '') as exit_reason,
        cast(benefit_due_vnd as {{ dbt.type_bigint() }}) as benefit_due_vnd,
        cast(benefit_paid_vnd as {{ dbt.type_bigint() }}) as benefit_paid_vnd
    from source
    where {{ rows_to_rebuild(in_changed_months('snapshot_date')) }}

),

deduplicated as (

-- a corrected file supersedes by business key; province_code by the record's date
    {{ latest_by_business_key('renamed', [
        'staff_code',
        'snapshot_date',
    ], 'ranked.snapshot_date') }}

),

final as (

    select
        {{ surrogate_key([
            'deduplicated.staff_code',
            'deduplicated.snapshot_date',
        ]) }} as staff_snapshot_id,
        deduplicated.snapshot_date,
        {{ month_start('deduplicated.snapshot_date') }} as month_start,
        deduplicated.staff_code,
        deduplicated.national_id_key,
        deduplicated.age_band,
        deduplicated.unit_code,
        deduplicated.province_code,
        deduplicated.position,
        deduplicated.specialisation,
        deduplicated.qualification,
        deduplicated.salary_coefficient,
        deduplicated.status,
        deduplicated.joined_on,
        deduplicated.left_on,
        deduplicated.exit_reason,
        deduplicated.benefit_due_vnd,
        deduplicated.benefit_paid_vnd,
        deduplicated.file_id
    from deduplicated

)

select * from final
