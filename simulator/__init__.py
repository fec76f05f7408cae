"""The simulator: one producer of the four landing contracts (DEVELOPERS.md, "Landing files
for procedure logs", "raw tables of the other three sources", "Simulator"), with known faults
recorded in one manifest.

Units of work, one module each. Dossier logs: `reference` (the seeds), `calendar` (days,
Tết, the working-time axis), `profiles` (province export formats and random effects),
`catalogue` (procedure sampling), `lifecycle` (dossiers), `events` (event rows), `writers`
(dialects), `faults` (injection). Rosters, budgets, inventories: `units` (the monthly history,
units, norms, the understaffed few), `people` (names, IDs, qualifications), `staffing`
(staff and roster snapshots), `budget`, `assets`, `landing` (their files, faults and
writers). `run` (the command).
"""

from simulator.run import (
    MANIFEST_NAME,
    SimulationOptions,
    SimulationResult,
    select_provinces,
    simulate,
)

__all__ = ["MANIFEST_NAME", "SimulationOptions", "SimulationResult", "select_provinces", "simulate"]
