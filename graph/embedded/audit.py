"""The embedded store's audit log (graph.audit): functions run inside the store's transactions
on its single writer thread, so a record commits with the write it records or not at all, and
the chain is one chain — the writer reads the head, extends it and moves it with nothing in
between.

Records are rows of ``audit_records``; ``audit_head`` (one row) holds where the chain stands.
Triggers refuse any change to a record and any deletion beyond the anchor: only `prune`, which
moves the anchor first, deletes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from graph.audit.chain import extend, instant
from graph.audit.records import AuditEntry, AuditFilter, AuditHead, AuditKind, AuditRecord

__all__ = ["append", "erase", "head", "prune", "records"]

_COLUMNS = (
    "seq, kind, actor, action, subject, version_before, version_after, detail, at, "
    "previous_hash, hash"
)


def head(sqlite: sqlite3.Connection) -> AuditHead:
    row = sqlite.execute(
        "SELECT seq, hash, anchor_seq, anchor_hash, checkpoint_seq FROM audit_head WHERE id = 1"
    ).fetchone()
    return AuditHead() if row is None else AuditHead(*row)


def append(sqlite: sqlite3.Connection, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """Chain `entries` after the head, write them and move the head, in this transaction."""
    if not entries:
        return []
    current = head(sqlite)
    written = extend(current, entries)
    sqlite.executemany(
        f"INSERT INTO audit_records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [_row(record) for record in written],
    )
    checkpoints = [r.seq for r in written if r.entry.kind is AuditKind.CHECKPOINT]
    last = written[-1]
    sqlite.execute(
        "INSERT INTO audit_head (id, seq, hash, anchor_seq, anchor_hash, checkpoint_seq) "
        "VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, "
        "hash = excluded.hash, checkpoint_seq = excluded.checkpoint_seq",
        (
            last.seq,
            last.hash,
            current.anchor_seq,
            current.anchor_hash,
            max([current.checkpoint_seq, *checkpoints]),
        ),
    )
    return written


def _row(record: AuditRecord) -> tuple[object, ...]:
    entry = record.entry
    return (
        record.seq,
        entry.kind.value,
        entry.actor,
        entry.action,
        entry.subject,
        entry.version_before,
        entry.version_after,
        json.dumps(dict(entry.detail), ensure_ascii=False, separators=(",", ":")),
        instant(entry.at),
        record.previous_hash,
        record.hash,
    )


def _record(row: tuple[object, ...]) -> AuditRecord:
    seq, kind, actor, action, subject, before, after, detail, at, previous, digest = row
    entry = AuditEntry(
        AuditKind(str(kind)),
        str(actor),
        str(action),
        None if subject is None else str(subject),
        None if before is None else int(str(before)),
        None if after is None else int(str(after)),
        json.loads(str(detail)),
        datetime.fromisoformat(str(at)),
    )
    return AuditRecord(int(str(seq)), entry, str(previous), str(digest))


def records(
    sqlite: sqlite3.Connection, after: int, limit: int, where: AuditFilter | None
) -> list[AuditRecord]:
    conditions: list[str] = ["seq > ?"]
    params: list[object] = [after]
    chosen = where or AuditFilter()
    if chosen.kinds is not None:
        kinds = sorted(kind.value for kind in chosen.kinds)
        conditions.append(f"kind IN ({', '.join('?' * len(kinds))})")
        params += kinds
    for column, value in (
        ("actor", chosen.actor),
        ("action", chosen.action),
        ("subject", chosen.subject),
    ):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if chosen.since is not None:
        conditions.append("at >= ?")
        params.append(instant(chosen.since))
    if chosen.until is not None:
        conditions.append("at < ?")
        params.append(instant(chosen.until))
    rows = sqlite.execute(
        f"SELECT {_COLUMNS} FROM audit_records WHERE {' AND '.join(conditions)} "
        "ORDER BY seq LIMIT ?",
        [*params, limit],
    )
    return [_record(tuple(row)) for row in rows]


def prune(sqlite: sqlite3.Connection, before: datetime) -> int:
    """Delete the prefix of the chain written before `before`; the last deleted becomes the
    anchor (moved first: the trigger deletes nothing past it)."""
    current = head(sqlite)
    (stop,) = sqlite.execute(
        "SELECT min(seq) FROM audit_records WHERE at >= ?", (instant(before),)
    ).fetchone()
    last = current.seq if stop is None else int(stop) - 1
    if last <= current.anchor_seq:
        return 0
    (anchor_hash,) = sqlite.execute(
        "SELECT hash FROM audit_records WHERE seq = ?", (last,)
    ).fetchone()
    sqlite.execute(
        "UPDATE audit_head SET anchor_seq = ?, anchor_hash = ? WHERE id = 1", (last, anchor_hash)
    )
    return int(sqlite.execute("DELETE FROM audit_records WHERE seq <= ?", (last,)).rowcount)


def erase(sqlite: sqlite3.Connection) -> None:
    """Remove the whole log (tests start from here): the anchor is moved past every record
    first, then the records and the head go."""
    sqlite.execute("UPDATE audit_head SET anchor_seq = seq")
    sqlite.execute("DELETE FROM audit_records")
    sqlite.execute("DELETE FROM audit_head")
