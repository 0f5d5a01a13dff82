"""The Neo4j store's audit log (graph.audit): transaction functions, run inside the store's
managed write transactions, so a record commits with the write it records or not at all.

A transaction that records calls `lock` first — before anything else it locks — and `append`
last: every recording transaction takes the head's lock first, so they never wait on each
other in a cycle, and the chain the head says is the chain the records hold. Like every
transaction function, each may run again after a transient failure: it reads the head afresh.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction, Record

from graph.audit.chain import extend, instant
from graph.audit.records import (
    GENESIS,
    AuditEntry,
    AuditFilter,
    AuditHead,
    AuditKind,
    AuditRecord,
)
from graph.neo4j.cypher.audit import (
    APPEND_AUDIT_RECORDS,
    AUDIT_HEAD,
    AUDIT_RECORD_HASH,
    AUDIT_RECORDS,
    ENSURE_AUDIT_HEAD,
    FIRST_YOUNG_AUDIT_RECORD,
    LOCK_AUDIT_HEAD,
    PRUNE_AUDIT_RECORDS,
    SET_AUDIT_ANCHOR,
)
from graph.neo4j.statements import run

__all__ = [
    "PRUNE_BATCH",
    "anchor",
    "append",
    "ensure_head",
    "head",
    "lock",
    "lock_and_append",
    "prune",
    "records",
]

PRUNE_BATCH = 10_000


def _head(record: Record) -> AuditHead:
    return AuditHead(
        int(record["seq"]),
        str(record["hash"]),
        int(record["anchor_seq"]),
        str(record["anchor_hash"]),
        int(record["checkpoint_seq"]),
    )


async def ensure_head(tx: AsyncManagedTransaction) -> None:
    await run(tx, ENSURE_AUDIT_HEAD, genesis=GENESIS)


async def lock(tx: AsyncManagedTransaction) -> AuditHead:
    """Take the head's write lock (until this transaction ends) and read it."""
    (record,) = await run(tx, LOCK_AUDIT_HEAD, genesis=GENESIS)
    return _head(record)


async def head(tx: AsyncManagedTransaction) -> AuditHead:
    found = await run(tx, AUDIT_HEAD)
    return _head(found[0]) if found else AuditHead()


def _row(record: AuditRecord) -> dict[str, Any]:
    entry = record.entry
    return {
        "seq": record.seq,
        "kind": entry.kind.value,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "version_before": entry.version_before,
        "version_after": entry.version_after,
        "detail": json.dumps(dict(entry.detail), ensure_ascii=False, separators=(",", ":")),
        "at": instant(entry.at),
        "previous_hash": record.previous_hash,
        "hash": record.hash,
    }


async def append(
    tx: AsyncManagedTransaction, locked: AuditHead, entries: Sequence[AuditEntry]
) -> list[AuditRecord]:
    """Chain `entries` after `locked` (the head `lock` read in this transaction), write them
    and move the head."""
    if not entries:
        return []
    written = extend(locked, entries)
    checkpoints = [r.seq for r in written if r.entry.kind is AuditKind.CHECKPOINT]
    await run(
        tx,
        APPEND_AUDIT_RECORDS,
        seq=written[-1].seq,
        hash=written[-1].hash,
        checkpoint_seq=max([locked.checkpoint_seq, *checkpoints]),
        records=[_row(record) for record in written],
    )
    return written


async def lock_and_append(
    tx: AsyncManagedTransaction, entries: Sequence[AuditEntry]
) -> list[AuditRecord]:
    """Records of no other write: lock, append."""
    return await append(tx, await lock(tx), entries)


def _record(row: Record) -> AuditRecord:
    entry = AuditEntry(
        AuditKind(row["kind"]),
        row["actor"],
        row["action"],
        row["subject"],
        row["version_before"],
        row["version_after"],
        json.loads(row["detail"]),
        datetime.fromisoformat(row["at"]),
    )
    return AuditRecord(int(row["seq"]), entry, row["previous_hash"], row["hash"])


async def records(
    tx: AsyncManagedTransaction, after: int, limit: int, where: AuditFilter | None
) -> list[AuditRecord]:
    chosen = where or AuditFilter()
    rows = await run(
        tx,
        AUDIT_RECORDS,
        after=after,
        limit=limit,
        kinds=None if chosen.kinds is None else sorted(k.value for k in chosen.kinds),
        actor=chosen.actor,
        subject=chosen.subject,
        since=None if chosen.since is None else instant(chosen.since),
        until=None if chosen.until is None else instant(chosen.until),
    )
    return [_record(row) for row in rows]


async def anchor(tx: AsyncManagedTransaction, before: datetime) -> int:
    """Move the anchor to the last record of the prefix written before `before`; return the
    anchor's seq (the records up to it are then `prune`d)."""
    current = await lock(tx)
    young = await run(
        tx, FIRST_YOUNG_AUDIT_RECORD, anchor=current.anchor_seq, before=instant(before)
    )
    last = int(young[0]["seq"]) - 1 if young else current.seq
    if last > current.anchor_seq:
        (held,) = await run(tx, AUDIT_RECORD_HASH, seq=last)
        await run(tx, SET_AUDIT_ANCHOR, seq=last, hash=held["hash"])
        return last
    return current.anchor_seq


async def prune(tx: AsyncManagedTransaction, last: int) -> int:
    """Delete a batch of the records up to `last` (the anchor); how many went."""
    (row,) = await run(tx, PRUNE_AUDIT_RECORDS, last=last, batch=PRUNE_BATCH)
    return int(row["deleted"])
