-- Restating through the bridge neither loses nor invents anything: the allocation weights of
-- every old unit sum to 1 and each lies in (0, 1]. Returns each old unit that breaks this.

select
    old_unit_code,
    sum(allocation_weight) as weight_total,
    min(allocation_weight) as smallest_weight
from {{ ref('bridge_admin_unit_lineage') }}
group by old_unit_code
having abs(sum(allocation_weight) - 1.0) > 1e-9
    or min(allocation_weight) <= 0
    or max(allocation_weight) > 1
