"""The Neo4j store's audit log (graph.audit): transaction functions, run inside the store's
managed write transactions, so a record commits with the write it records or not at all.

A transaction that records appends last (`Chain.append`): it takes the audit head's write
lock after every other lock it takes and takes none after it, so recording transactions never
wait on each other in a cycle, and each holds the head only from its last statement to its
commit. The hashes are computed here, after the head the store last saw (its guess); the
statement that takes the lock checks the guess and writes only if it holds — one statement
in the common case. When it does not (another store wrote meanwhile), the head now locked is
read and the hashes computed again. A guess is never trusted, only checked, so one left by a
transaction that did not commit does no harm; and like every transaction function, `append`
may run again after a transient failure.
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
    APPEND_AFTER_HEAD,
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
    "Chain",
    "anchor",
    "ensure_head",
    "head",
    "lock",
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


def _moved(head: AuditHead, written: Sequence[AuditRecord]) -> AuditHead:
    """`head` after `written` was appended to it."""
    checkpoints = [r.seq for r in written if r.entry.kind is AuditKind.CHECKPOINT]
    last = written[-1]
    return AuditHead(
        last.seq,
        last.hash,
        head.anchor_seq,
        head.anchor_hash,
        max([head.checkpoint_seq, *checkpoints]),
    )


def _appended(head: AuditHead, written: Sequence[AuditRecord]) -> dict[str, Any]:
    moved = _moved(head, written)
    return {
        "seq": moved.seq,
        "hash": moved.hash,
        "checkpoint_seq": moved.checkpoint_seq,
        "records": [_row(record) for record in written],
    }


class Chain:
    """Appends to the audit log of one store, last in each write transaction."""

    def __init__(self) -> None:
        self._guess: AuditHead | None = None  # the head as this store last wrote or read it

    async def append(
        self, tx: AsyncManagedTransaction, entries: Sequence[AuditEntry]
    ) -> list[AuditRecord]:
        """Chain `entries` after the head, write them and move the head, in `tx`."""
        if not entries:
            return []
        guess = self._guess
        if guess is not None:
            written = extend(guess, entries)
            (row,) = await run(
                tx,
                APPEND_AFTER_HEAD,
                after_seq=guess.seq,
                after_hash=guess.hash,
                **_appended(guess, written),
            )
            if row["written"]:
                self._guess = _moved(guess, written)
                return written
        locked = await lock(tx)
        written = extend(locked, entries)
        await run(tx, APPEND_AUDIT_RECORDS, **_appended(locked, written))
        self._guess = _moved(locked, written)
        return written

    def forget(self) -> None:
        """Guess nothing: the log was erased or pruned."""
        self._guess = None


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
        action=chosen.action,
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
