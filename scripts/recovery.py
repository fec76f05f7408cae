"""What the warehouse finds of what the simulator planted (docs/simulation.md).

Reads the marts and the simulation manifest only: the slow-stage flags against the
manifest's `slow_steps`; the units with the worst on-time rate and with the lowest
Decision 766 score against its `weak_units`; the operating-quality index's weak flags
against the same and its flag for the `thin_weak_units`; and the figures of the issue's closing note
(the national score, the five lowest provinces). `tests/test_slow_stages.py` asserts on
the same functions.

    python scripts/recovery.py            # the warehouse and landing zone of the settings
    python scripts/recovery.py --warehouse W.duckdb --manifest landing/_simulation_manifest.json
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import duckdb

# A weak unit can only be told from chance with enough dossiers: units below this many
# (judged for the on-time rate, received for the score) are left out of the ranking,
# planted or not.
MIN_DOSSIERS = 30

WORST_BY_ON_TIME = """
    select area_code from marts.mart_service_periods
    where scope = 'unit' and period = 'whole' and on_time_denominator >= ?
        and on_time_rate is not null
    order by on_time_rate, area_code"""

# commune-level units only: mart_service_index scores no province office
LOWEST_BY_SCORE = """
    select service_index.area_code
    from marts.mart_service_index as service_index
    inner join marts.mart_service_periods as service_periods
        on service_index.scope = service_periods.scope
        and service_index.area_code = service_periods.area_code
        and service_index.period = service_periods.period
        and service_index.period_start = service_periods.period_start
    where service_index.scope = 'unit' and service_index.period = 'whole'
        and service_index.score is not null and service_periods.dossiers_received >= ?
    order by service_index.score, service_index.area_code"""

SLOW_STAGE_FLAGS = """
    select area_code, procedure_code, step_name from marts.mart_slow_stages
    where scope = 'province' and is_slow_stage"""

SCORES = """
    select scope, area_code, score, band_name_en from marts.mart_service_index
    where scope in ('nation', 'province') and period = 'whole'
    order by score, area_code"""


def precision_recall(found: set, planted: set) -> tuple[float, float]:
    hits = len(found & planted)
    return hits / len(found) if found else 0.0, hits / len(planted) if planted else 0.0


def slow_step_recovery(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict:
    """Flagged (province, procedure, step) against the planted ones, all of them."""
    planted = {
        (s["province_code"], s["procedure_code"], s["step_name"]) for s in manifest["slow_steps"]
    }
    flagged = set(con.execute(SLOW_STAGE_FLAGS).fetchall())
    precision, recall = precision_recall(flagged, planted)
    return {"planted": planted, "found": flagged, "precision": precision, "recall": recall}


def weak_unit_recovery(
    con: duckdb.DuckDBPyConnection, manifest: dict, ranking: str, minimum: int = MIN_DOSSIERS
) -> dict:
    """The k worst-ranked units against the k planted weak units among those ranked
    (units with at least `minimum` dossiers); `ranking` is WORST_BY_ON_TIME or
    LOWEST_BY_SCORE."""
    ranked = [code for (code,) in con.execute(ranking, [minimum]).fetchall()]
    planted = {w["unit_code"] for w in manifest["weak_units"]} & set(ranked)
    found = set(ranked[: len(planted)])
    precision, recall = precision_recall(found, planted)
    return {
        "ranked": len(ranked),
        "planted": planted,
        "found": found,
        "precision": precision,
        "recall": recall,
    }


# commune-level units, the months since the reform (those of today's units, where the
# simulator plants its weak units): the flag, the rank spread across weightings
OPERATING_QUALITY_UNITS = """
    select area_code, quality_flag, rank_spread, is_weak_withheld
    from marts.mart_operating_quality
    where scope = 'unit' and period = 'since_reform' and is_scored"""

WEAK_LEVELS = """
    select province_code from marts.mart_operating_quality_weak_levels
    where period = 'since_reform' and is_weak_level order by province_code"""


def thin_unit_flag(flags: dict, code: str) -> str | None:
    """A scored unit with no flag is 'unflagged', told apart from one the index does not
    score (None): both read as a missing flag."""
    if code not in flags:
        return None
    return flags[code] or "unflagged"


def operating_quality_recovery(con: duckdb.DuckDBPyConnection, manifest: dict) -> dict:
    """The index's weak flags against the planted weak units among those scored; the flag
    each planted thin weak unit gets ('unflagged' when scored with neither flag, None when
    unscored); the weak-level provinces and the median rank spread across weightings
    (docs/indicators.md G)."""
    rows = con.execute(OPERATING_QUALITY_UNITS).fetchall()
    flags = {code: flag for code, flag, *_ in rows}
    planted = {w["unit_code"] for w in manifest["weak_units"]} & set(flags)
    weak = {code for code, flag in flags.items() if flag == "weak"}
    precision, recall = precision_recall(weak, planted)
    spreads = sorted(spread for _, _, spread, _ in rows)
    return {
        "scored": len(rows),
        "planted": planted,
        "found": weak,
        "watch": sum(flag == "watch" for flag in flags.values()),
        # watch only because too few dossiers could prove them weak
        "withheld": {code for code, _, _, withheld in rows if withheld},
        "precision": precision,
        "recall": recall,
        "thin": {
            thin["unit_code"]: thin_unit_flag(flags, thin["unit_code"])
            for thin in manifest["thin_weak_units"]
        },
        "weak_provinces": [code for (code,) in con.execute(WEAK_LEVELS).fetchall()],
        "median_rank_spread": spreads[len(spreads) // 2] if spreads else None,
    }


def closing_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """The national score and band and the five lowest provinces (whole period)."""
    rows = con.execute(SCORES).fetchall()
    nation = next(r for r in rows if r[0] == "nation")
    provinces = [r[1:] for r in rows if r[0] == "province"]
    return {"nation": nation[2:], "lowest_provinces": provinces[:5]}


def main(argv: list[str] | None = None) -> None:
    from orchestration.settings import load_settings
    from simulator import MANIFEST_NAME

    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=settings.warehouse)
    parser.add_argument("--manifest", type=Path, default=settings.landing_dir / MANIFEST_NAME)
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        figures = closing_figures(con)
        score, band = figures["nation"]
        print(f"national 766 score: {score:.2f} ({band})")
        lowest = ", ".join(f"{code} {s:.2f} ({b})" for code, s, b in figures["lowest_provinces"])
        print(f"five lowest provinces: {lowest}")
        slow = slow_step_recovery(con, manifest)
        print(
            f"slow steps: {len(slow['planted'])} planted, {len(slow['found'])} flagged, "
            f"precision {slow['precision']:.2f}, recall {slow['recall']:.2f}"
        )
        index = operating_quality_recovery(con, manifest)
        thin = Counter(flag or "unscored" for flag in index["thin"].values())
        print(
            f"operating-quality weak units: {len(index['planted'])} planted of {index['scored']} "
            f"scored, {len(index['found'])} weak, {index['watch']} watch "
            f"({len(index['withheld'])} of them for too few dossiers), precision "
            f"{index['precision']:.2f}, recall {index['recall']:.2f}; thin weak units "
            f"{dict(sorted(thin.items()))}; weak-level provinces "
            f"{', '.join(index['weak_provinces']) or 'none'}; median rank spread "
            f"{index['median_rank_spread']} of {index['scored']}"
        )
        for name, ranking in (("on-time rate", WORST_BY_ON_TIME), ("766 score", LOWEST_BY_SCORE)):
            for minimum in (MIN_DOSSIERS, 50):
                weak = weak_unit_recovery(con, manifest, ranking, minimum)
                print(
                    f"weak units by {name} (≥{minimum} dossiers): {len(weak['planted'])} planted "
                    f"of {weak['ranked']} ranked, precision {weak['precision']:.2f}, "
                    f"recall {weak['recall']:.2f}"
                )


if __name__ == "__main__":
    main()
