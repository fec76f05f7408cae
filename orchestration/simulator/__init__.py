"""The dossier simulator: one producer of the procedure-log landing contract (DEVELOPERS.md,
"Landing files for procedure logs"), with known faults recorded in a manifest.

Units of work, one module each: `reference` (the seeds), `calendar` (days, Tết, the
working-time axis), `profiles` (province export formats and random effects), `catalogue`
(procedure sampling), `lifecycle` (dossiers), `events` (event rows), `writers` (dialects),
`faults` (injection), `run` (the command).
"""

from orchestration.simulator.run import (
    MANIFEST_NAME,
    SimulationOptions,
    SimulationResult,
    select_provinces,
    simulate,
)

__all__ = ["MANIFEST_NAME", "SimulationOptions", "SimulationResult", "select_provinces",
           "simulate"]
