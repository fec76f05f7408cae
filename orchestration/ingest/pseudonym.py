"""Pseudonyms: HMAC-SHA256 of a personal identifier under the secret key, and the key's
fingerprint recorded in the warehouse, so two keys never mix in one column unnoticed.

DuckDB has no HMAC function, and a Python UDF would cost a Python call per row. HMAC is two
hashes (RFC 2104): H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), and both padded keys are constants of
the run, so the whole HMAC is one SQL expression over DuckDB's own `sha256` of blobs.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb

from orchestration.ingest.contract import SourceContract
from orchestration.sql import identifier as quote

ALGORITHM = "hmac-sha256"
BLOCK_BYTES = 64  # SHA-256's block size
# What the fingerprint is the HMAC of: identifies the key, reveals nothing of it.
FINGERPRINT_MESSAGE = b"reformwatch pseudonym key fingerprint"

KEYS_DDL = """
create table if not exists audit.pseudonym_keys (
    fingerprint varchar, algorithm varchar, first_used_at timestamp);
"""


class PseudonymKeyChanged(RuntimeError):
    """The run's key is not the one the warehouse's pseudonyms were made with."""


def hmac_sql(key: str, value: str = "v") -> str:
    """SQL for HMAC-SHA256(key, value) as lowercase hex, equal to Python's `hmac` digest."""
    secret = key.encode()
    if len(secret) > BLOCK_BYTES:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(BLOCK_BYTES, b"\0")
    inner = bytes(b ^ 0x36 for b in secret).hex()
    outer = bytes(b ^ 0x5C for b in secret).hex()
    return f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({value}))))"


def fingerprint(key: str) -> str:
    """The key's identifier in the audit: 16 hex digits of an HMAC under it."""
    return hmac.new(key.encode(), FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def prepare_pseudonyms(
    con: duckdb.DuckDBPyConnection, key: str, contracts: list[SourceContract]
) -> None:
    """The connection's `rw_pseudonym` macro, once the key is known to be the warehouse's."""
    check_key(con, key, contracts)
    con.execute(f"create or replace temp macro rw_pseudonym(v) as {hmac_sql(key)}")


def check_key(con: duckdb.DuckDBPyConnection, key: str, contracts: list[SourceContract]) -> None:
    """Record the key's fingerprint on first use; stop when another key was used before."""
    con.execute(KEYS_DDL)
    current = fingerprint(key)
    recorded = con.execute(
        "select fingerprint, algorithm, first_used_at from audit.pseudonym_keys "
        "order by first_used_at"
    ).fetchall()
    if not recorded:
        if holds_pseudonyms(con, contracts):
            raise PseudonymKeyChanged(
                "The warehouse holds pseudonyms but no key recorded for them (made before "
                f"keys were recorded, as sha256 of key and id, not {ALGORITHM}): new ones would "
                "not match them. Rebuild the warehouse from the landing files (delete it, "
                "then run) with REFORMWATCH_PSEUDONYM_KEY set."
            )
        con.execute("insert into audit.pseudonym_keys values (?, ?, now())", [current, ALGORITHM])
        return
    for known, algorithm, since in recorded:
        if (known, algorithm) != (current, ALGORITHM):
            raise PseudonymKeyChanged(
                f"This run's REFORMWATCH_PSEUDONYM_KEY (fingerprint {current}) is not the key "
                f"the warehouse's pseudonyms were made with (fingerprint {known}, {algorithm}, "
                f"first used {since:%Y-%m-%d %H:%M}): one person would get two pseudonyms. "
                "Set the warehouse's key, or rebuild the warehouse from the landing files "
                "with the new key."
            )


def holds_pseudonyms(con: duckdb.DuckDBPyConnection, contracts: list[SourceContract]) -> bool:
    """Any raw row with a pseudonymised value (the raw tables exist: `prepare` made them)."""
    for contract in contracts:
        for column in contract.stored_columns:
            if column.personal == "pseudonymise":
                found = con.execute(
                    f"select 1 from raw.{quote(contract.table)} "
                    f"where {quote(column.raw_name)} is not null limit 1"
                ).fetchall()
                if found:
                    return True
    return False
