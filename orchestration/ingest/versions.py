"""Corrections: a delivery's latest version supersedes its earlier ones entirely, and an
operator may retract a file.

A *delivery* is what a producer sends for one slot of the landing zone: the file's
landing-relative name without its extension and without a declared-correction suffix
(`_gui_lai` — Vietnamese for "re-sent" — `_resent` or `_correction`, optionally numbered:
`01_2025-08_gui_lai_2.jsonl`). A file re-sent under the same name, or under its name with such a
suffix, is a new *version* of that delivery. Versions are ordered by delivery — the file's
modification time when ingest found it, then the order ingest met them — never by content
hash or name. Only the latest version's rows stay in `raw`: a row an earlier version held
and the latest no longer holds goes, whatever its key. Each removal is one row of
`audit.file_corrections` saying which version replaced which and what changed, counted by
the source's business key (keys added, removed, changed, unchanged).

Removal runs after the files are settled, over every version still in `raw`, so a run killed
between the two catches up on the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.ingest.contract import SourceContract
from orchestration.ingest.plan import delivery_of
from orchestration.ingest.settle import transaction
from orchestration.sql import identifier as quote
from orchestration.sql import literal

CORRECTIONS_DDL = """
create table if not exists audit.file_corrections (
    action varchar, source varchar, delivery varchar, file_id varchar, path varchar,
    replaced_by_file_id varchar, replaced_by_path varchar, rows_removed bigint,
    keys_added bigint, keys_removed bigint, keys_changed bigint, keys_unchanged bigint,
    note varchar, corrected_at timestamptz);
"""


def record_deliveries(con: duckdb.DuckDBPyConnection) -> None:
    """Files ingested before deliveries were recorded are named now; with no delivery time
    they count as older than any version that has one."""
    paths = con.execute(
        "select distinct path from audit.ingest_files where delivery is null"
    ).fetchall()
    if paths:
        con.executemany(
            "update audit.ingest_files set delivery = ? where path = ? and delivery is null",
            [(delivery_of(path), path) for (path,) in paths],
        )


@dataclass(frozen=True)
class Version:
    """One loaded file whose rows are (still) in raw."""

    file_id: str
    path: str


@dataclass(frozen=True)
class Correction:
    """One version removed from raw: superseded by a later one, or retracted."""

    action: str  # superseded | retracted
    removed: Version
    replaced_by: Version | None
    rows_removed: int
    keys_added: int
    keys_removed: int
    keys_changed: int
    keys_unchanged: int

    def describe(self) -> str:
        by = f" by {self.replaced_by.path}" if self.replaced_by else ""
        return (
            f"{self.removed.path} {self.action}{by}: {self.rows_removed:,} rows left raw; "
            f"keys {self.keys_added:,} added, {self.keys_removed:,} removed, "
            f"{self.keys_changed:,} changed, {self.keys_unchanged:,} unchanged"
        )


def live_files_sql(corrections: bool = True) -> str:
    """SQL: the `audit.ingest_files` rows of every version whose rows are in raw — loaded,
    and neither superseded nor retracted. The one definition, for ingest and for what a dbt
    build was made from (build_scope.py). `corrections=False` on a warehouse made before
    corrections (no `audit.file_corrections`): every loaded file."""
    not_removed = (
        " and not exists (select 1 from audit.file_corrections c where c.file_id = f.file_id)"
        if corrections
        else ""
    )
    return f"select * from audit.ingest_files f where status = 'loaded'{not_removed}"


LIVE_VERSIONS = f"""
select file_id, path, delivery,
    row_number() over (
        partition by delivery
        order by delivered_at desc nulls last, ingested_at desc, path desc
    ) as newest_first
from ({live_files_sql()}) f
where source = ?
"""


def supersede(con: duckdb.DuckDBPyConnection, contract: SourceContract) -> list[Correction]:
    """Remove from raw every version of a delivery but its latest, recording each."""
    with transaction(con):
        rows = con.execute(
            f"select * from ({LIVE_VERSIONS}) where delivery in "
            f"(select delivery from ({LIVE_VERSIONS}) where newest_first > 1) "
            "order by delivery, newest_first",
            [contract.name, contract.name],
        ).fetchall()
        latest: dict[str, Version] = {}
        corrections = []
        for file_id, path, delivery, rank in rows:
            version = Version(file_id, path)
            if rank == 1:
                latest[delivery] = version
            else:
                corrections.append(
                    remove_version(con, contract, "superseded", version, latest[delivery])
                )
        return corrections


def retract(
    con: duckdb.DuckDBPyConnection, contract: SourceContract, relpath: str, note: str
) -> list[Correction]:
    """An operator withdraws a file: its rows leave raw now, and every model built from raw
    on the next run. The file stays in the ledger, so it is not loaded again."""
    with transaction(con):
        versions = con.execute(
            f"select file_id, path from ({LIVE_VERSIONS}) where path = ?",
            [contract.name, relpath],
        ).fetchall()
        return [
            remove_version(con, contract, "retracted", Version(*v), None, note) for v in versions
        ]


def remove_version(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    action: str,
    removed: Version,
    replaced_by: Version | None,
    note: str = "",
) -> Correction:
    """Count what changes by business key, delete the version's rows, record it."""
    added, dropped, changed, unchanged = key_changes(con, contract, removed, replaced_by)
    [rows] = con.execute(
        f"delete from raw.{contract.table} where _file_id = ?", [removed.file_id]
    ).fetchone()
    correction = Correction(action, removed, replaced_by, rows, added, dropped, changed, unchanged)
    con.execute(
        "insert into audit.file_corrections values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            action,
            contract.name,
            delivery_of(removed.path),
            removed.file_id,
            removed.path,
            replaced_by.file_id if replaced_by else None,
            replaced_by.path if replaced_by else None,
            rows,
            added,
            dropped,
            changed,
            unchanged,
            note or correction.describe(),
        ],
    )
    return correction


def key_changes(
    con: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    old: Version,
    new: Version | None,
) -> tuple[int, int, int, int]:
    """(added, removed, changed, unchanged) business keys from `old`'s rows to `new`'s (none
    when retracted): a key whose rows differ in any stored column is changed."""
    names = {c.name: c.raw_name for c in contract.columns}
    key = (
        "to_json({"
        + ", ".join(f"{literal(k)}: {quote(names[k])}" for k in contract.business_key)
        + "})::varchar"
    )
    content = (
        "md5(to_json({"
        + ", ".join(f"{literal(c.raw_name)}: {quote(c.raw_name)}" for c in contract.stored_columns)
        + "})::varchar)"
    )

    def keyed(version: Version | None) -> str:
        file_id = literal(version.file_id) if version else "null"
        return (
            f"select {key} as k, string_agg({content}, ',' order by {content}) as rows "
            f"from raw.{contract.table} where _file_id = {file_id} group by k"
        )

    return con.execute(
        f"""select
            count(*) filter (where o.k is null),
            count(*) filter (where n.k is null),
            count(*) filter (where o.rows <> n.rows),
            count(*) filter (where o.rows = n.rows)
        from ({keyed(old)}) o full outer join ({keyed(new)}) n on o.k = n.k"""
    ).fetchone()
