-- The published figures of the reform, reproduced from the lineage seeds
-- (scripts/build_lineage_seeds.py, docs/sources.md): 63 provinces merged into 34, 696
-- district-level units abolished, and the commune-level units before the reform by type.
-- Communes: the January 2025 release of vietnam-provinces lists 10,051 (7,717 xã, 1,716
-- phường, 618 thị trấn); the published 10,035 counts the units on the eve of the reform,
-- after the first-half 2025 rearrangements that release predates (docs/lineage_report.md).
-- The expected figures are seed published_figures; returns a row per figure that differs.

with

old_units as (

    select
        unit_level,
        unit_type
    from {{ ref('admin_units_before_reform') }}

),

province_lineage as (

    select
        old_unit_code,
        new_unit_code
    from {{ ref('unit_lineage') }}
    where old_unit_level = 'province'

),

actual as (

    select
        'old provinces' as figure,
        count(distinct old_unit_code) as actual_count
    from province_lineage

    union all

    select
        'provinces they merged into' as figure,
        count(distinct new_unit_code) as actual_count
    from province_lineage

    union all

    select
        'old districts' as figure,
        sum(case when unit_level = 'district' then 1 else 0 end) as actual_count
    from old_units

    union all

    select
        'old districts reaching today''s units' as figure,
        count(distinct old_unit_code) as actual_count
    from {{ ref('unit_lineage') }}
    where old_unit_level = 'district'

    union all

    select
        'old communes' as figure,
        sum(case when unit_level = 'commune' then 1 else 0 end) as actual_count
    from old_units

    union all

    select
        'old ' || unit_type as figure,
        count(*) as actual_count
    from old_units
    where unit_level = 'commune'
    group by unit_type

)

{{ figures_that_differ('reform_lineage', 'actual') }}
