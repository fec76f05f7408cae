"""Runs start themselves: a sensor on the landing folder, and a freshness check per source.

The sensor asks for one run of the whole graph per new set of landing files, keyed by the
files' content hashes (a re-sent identical file starts nothing; the same new set seen twice
starts one run). The run ingests only the new files, and the dbt asset skips the build when
nothing it reads has changed (`build_state.py`), so the work follows what is new. Downstream
assets also carry `AutomationCondition.eager()`, so a run that materialises only a source
(from the UI) is followed by the models, checks and reports that read it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest import ingest_asset_key
from orchestration.ingest.plan import PROVINCE_MONTH
from orchestration.ingest.sniff import content_hash, stat_key
from orchestration.ingest.sources import SOURCES
from orchestration.resources import WarehouseResource

SENSOR_INTERVAL_S = 60


def landing_files(landing_dir: Path) -> Iterator[Path]:
    for contract in SOURCES.values():
        folder = landing_dir / contract.name
        if folder.is_dir():
            yield from sorted(p for p in folder.iterdir() if p.is_file())


def scan_landing(landing_dir: Path, seen: Mapping[str, list]) -> dict[str, list]:
    """`{relative path: [stat key, sha256]}`; a file whose stat key (`sniff.stat_key`, the
    quick check ingest makes) is the one already seen keeps its hash, the others are hashed
    again (a 10x landing folder is GBs). A cursor of an older form never matches: its files
    are hashed once more."""
    state: dict[str, list] = {}
    for path in landing_files(landing_dir):
        key = stat_key(path.stat())
        name = path.relative_to(landing_dir).as_posix()
        before = seen.get(name)
        state[name] = before if before and before[0] == key else [key, content_hash(path)]
    return state


def new_content(state: Mapping[str, list], seen: Mapping[str, list]) -> dict[str, str]:
    """Files whose content no earlier scan saw (by hash, wherever it lay): `{path: sha256}`.
    The hash is an entry's last item, in this cursor's form and the older one alike."""
    known = {entry[-1] for entry in seen.values()}
    return {name: entry[-1] for name, entry in state.items() if entry[-1] not in known}


def run_key(new: Mapping[str, str]) -> str:
    return hashlib.sha256("\n".join(sorted(set(new.values()))).encode()).hexdigest()


def build_landing_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_files",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="One run per new set of landing files (by content hash): ingest the new "
        "files, rebuild what reads them, check, report, publish. Replaces the nightly "
        "schedule, which stays available, stopped.",
    )
    def landing_files_sensor(
        context: dg.SensorEvaluationContext, warehouse: WarehouseResource
    ) -> dg.SensorResult:
        seen = json.loads(context.cursor) if context.cursor else {}
        state = scan_landing(warehouse.landing_dir, seen)
        new = new_content(state, seen)
        cursor = json.dumps(state, sort_keys=True)
        if not new:
            return dg.SensorResult(skip_reason="no new landing files", cursor=cursor)
        sources = sorted({name.split("/")[0] for name in new})
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(
                    run_key=run_key(new),
                    tags={
                        "reformwatch/new_files": str(len(new)),
                        "reformwatch/sources": ",".join(sources),
                    },
                )
            ],
            cursor=cursor,
        )

    return landing_files_sensor


def stale_provinces(paths: list[str]) -> dict[str, str]:
    """Provinces whose newest accepted file of a source is older than the newest month any
    province delivered: `{province: its last month}`."""
    last: dict[str, str] = {}
    for path in paths:
        found = PROVINCE_MONTH.match(Path(path).name)
        if found:
            province, month = found.groups()
            last[province] = max(month, last.get(province, month))
    newest = max(last.values(), default=None)
    return {p: m for p, m in sorted(last.items()) if m < newest}


def build_freshness_check(source: str, table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=ingest_asset_key(SOURCES[source]),
        name="provinces_up_to_date",
        blocking=False,
        description=f"Every province's latest accepted `{source}` file is of the newest month "
        "any province delivered; the provinces behind are listed (a warning, not a stop).",
    )
    def _fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            paths = [
                row[0]
                for row in con.execute(
                    "select path from audit.ingest_files where source = ? and status = 'loaded'",
                    [source],
                ).fetchall()
            ]
        stale = stale_provinces(paths)
        return dg.AssetCheckResult(
            passed=not stale,
            severity=dg.AssetCheckSeverity.WARN,
            description=(
                "every province is up to date"
                if not stale
                else "behind: " + ", ".join(f"{p} (last {m})" for p, m in stale.items())
            ),
            metadata={"stale_provinces": dg.MetadataValue.json(stale)},
        )

    return _fresh


freshness_checks = [build_freshness_check(c.name, c.table) for c in SOURCES.values()]
