"""Batching: planned files of one layout go to DuckDB together.

Per-file overhead dominates small files, so files that share a format, encoding, delimiter,
dialect and header are parsed in one statement; `_file` tells their rows apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from orchestration.ingest.contract import Dialect, SourceContract
from orchestration.ingest.plan import Plan
from orchestration.ingest.readers import FileRead

# Landing bytes parsed in one statement. Big enough that per-statement costs (a transaction,
# a pandera call, an append) are few, small enough that the statement's buffers stay inside
# DuckDB's memory limit. At 1 GiB the 10× ingest wrote ~20 GB of spill files; of 64 MiB to
# 1 GiB, 256 MiB was about the fastest and took the process peak from 2.4 to 1.6 GB
# (DEVELOPERS.md, "Measured").
BATCH_BYTES = 256 << 20
REJECTS_TABLE = "rw_rejects"


@dataclass(frozen=True)
class Batch:
    """Files of one layout, read by one DuckDB statement."""

    plans: tuple[Plan, ...]

    @property
    def first(self) -> Plan:
        return self.plans[0]

    @property
    def contract(self) -> SourceContract:
        return self.first.file.contract

    @property
    def dialect(self) -> Dialect:
        return self.first.dialect

    @property
    def read(self) -> FileRead:
        """What the reader SQL needs; any plan speaks for the others, they share a layout."""
        first = self.first
        return FileRead(
            first.text.fmt,
            tuple(str(p.text.path) for p in self.plans),
            first.text.encoding,
            first.fields,
            rejects_table=REJECTS_TABLE,
            delimiter=first.delimiter,
        )

    def alone(self) -> list[Batch]:
        """Each file as its own batch, so one file DuckDB refuses costs only itself."""
        return [Batch((plan,)) for plan in self.plans]

    def discard_texts(self) -> None:
        for plan in self.plans:
            plan.text.discard()


def layout(plan: Plan) -> tuple:
    """What must be equal for files to be read by one statement. JSON keys are looked up by
    name, so only CSV files need the same header (columns are read by position)."""
    header = plan.header if plan.text.fmt == "csv" else ()
    return (
        plan.text.fmt,
        plan.text.encoding,
        plan.delimiter,
        plan.dialect.name,
        header,
        plan.fields,
    )


def batches(plans: list[Plan]) -> Iterator[Batch]:
    """Plans of one layout together, in name order, bounded in bytes so one statement's
    work table stays a modest spill even at national scale."""
    groups: dict[tuple, list[Plan]] = {}
    for plan in plans:
        groups.setdefault(layout(plan), []).append(plan)
    for group in groups.values():
        batch, size = [], 0
        for plan in group:
            if batch and size + plan.file.size > BATCH_BYTES:
                yield Batch(tuple(batch))
                batch, size = [], 0
            batch.append(plan)
            size += plan.file.size
        yield Batch(tuple(batch))
