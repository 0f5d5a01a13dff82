"""The embedded store's share requests, objections and access details (graph.sharing):
functions run inside the store's transactions, so a step and its audit records commit
together, and a compare-and-set on a version reads and writes with nothing in between (one
writer thread).

Requests and objections are rows of ``share_requests`` and ``objections`` — the same columns
(`graph.sharing.snapshots`), the whole value as JSON in ``snapshot`` — and access details rows
of ``access_details``, one per entry, apart from ``resources``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from graph.audit.records import AuditEntry
from graph.chunks import chunks
from graph.embedded import audit as audits
from graph.errors import InvalidValue, NotFound, VersionConflict
from graph.queries import check_page_size
from graph.sharing.queries import Page, Selection, decode_position, encode_position

__all__ = [
    "access_details",
    "by_ids",
    "create",
    "find",
    "open_by_code",
    "put_access",
    "update",
]

T = TypeVar("T")
Table = Literal["share_requests", "objections"]
_WHAT: dict[str, str] = {"share_requests": "share request", "objections": "objection"}
_COLUMNS = (
    "id, resource_code, party, provider_code, state, received_at, due_on, due_provisional, "
    "version, snapshot"
)


def _check_audit(audit: Sequence[AuditEntry]) -> list[AuditEntry]:
    if not audit:
        raise InvalidValue("audit", "none", "the audit record of each step written")
    return list(audit)


def _values(columns: Mapping[str, Any], snapshot: str) -> tuple[Any, ...]:
    provisional = columns["due_provisional"]
    return (
        columns["id"],
        columns["resource_code"],
        columns["party"],
        columns["provider_code"],
        columns["state"],
        columns["received_at"],
        columns["due_on"],
        None if provisional is None else int(provisional),
        columns["version"],
        snapshot,
    )


def _held_version(db: sqlite3.Connection, table: Table, id: str) -> int | None:
    row = db.execute(f"SELECT version FROM {table} WHERE id = ?", (id,)).fetchone()
    return None if row is None else int(row[0])


def create(
    db: sqlite3.Connection,
    table: Table,
    columns: Mapping[str, Any],
    snapshot: str,
    audit: Sequence[AuditEntry],
) -> None:
    entries = _check_audit(audit)
    held = _held_version(db, table, columns["id"])
    if held is not None:
        raise VersionConflict(columns["id"], 0, held)
    db.execute(
        f"INSERT INTO {table} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _values(columns, snapshot),
    )
    audits.append(db, entries)


def update(
    db: sqlite3.Connection,
    table: Table,
    columns: Mapping[str, Any],
    snapshot: str,
    expected_version: int,
    audit: Sequence[AuditEntry],
) -> None:
    entries = _check_audit(audit)
    id = columns["id"]
    if columns["version"] <= expected_version:
        raise InvalidValue(
            "version", columns["version"], f"a version after {expected_version}, the one replaced"
        )
    held = _held_version(db, table, id)
    if held is None:
        raise NotFound(_WHAT[table], id)
    if held != expected_version:
        raise VersionConflict(id, expected_version, held)
    db.execute(
        f"UPDATE {table} SET resource_code = ?, party = ?, provider_code = ?, state = ?, "
        "received_at = ?, due_on = ?, due_provisional = ?, version = ?, snapshot = ? "
        "WHERE id = ?",
        (*_values(columns, snapshot)[1:], id),
    )
    audits.append(db, entries)


def by_ids(db: sqlite3.Connection, table: Table, ids: Sequence[str]) -> dict[str, str]:
    """The snapshot of each held id among `ids`."""
    found: dict[str, str] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(f"SELECT id, snapshot FROM {table} WHERE id IN ({marks})", chunk)
        found.update((str(i), str(s)) for i, s in rows)
    return found


def _where(chosen: Selection) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    for column in ("resource_code", "party", "provider_code"):
        value = getattr(chosen, column)
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if chosen.states:
        conditions.append(f"state IN ({', '.join('?' * len(chosen.states))})")
        params += chosen.states
    if chosen.due_before is not None:
        conditions.append("due_on < ?")
        params.append(chosen.due_before)
    if chosen.provisional is not None:
        conditions.append("due_provisional = ?")
        params.append(int(chosen.provisional))
    return conditions, params


def find(
    db: sqlite3.Connection,
    table: Table,
    chosen: Selection,
    first: int,
    after: str | None,
    read: Callable[[str], T],
) -> Page[T]:
    first = check_page_size(first)
    conditions, params = _where(chosen)
    where = " AND ".join(conditions) or "1"
    (total,) = db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()
    paged, paged_params = list(conditions), list(params)
    if after is not None:
        at, id = decode_position(after)
        paged.append("(received_at > ? OR (received_at = ? AND id > ?))")
        paged_params += [at, at, id]
    rows = db.execute(
        f"SELECT snapshot FROM {table} WHERE {' AND '.join(paged) or '1'} "
        "ORDER BY received_at, id LIMIT ?",
        [*paged_params, first + 1],
    ).fetchall()
    items = [read(str(snapshot)) for (snapshot,) in rows[:first]]
    last: Any = items[-1] if items else None
    return Page(
        tuple(items),
        int(total),
        None if last is None else encode_position(last.received_at, last.id),
        len(rows) > first,
    )


def open_by_code(
    db: sqlite3.Connection, codes: Sequence[str], states: Sequence[str], limit: int
) -> dict[str, list[str]]:
    """The snapshots of at most `limit` objections in `states` per entry of `codes`, in the
    order received."""
    found: dict[str, list[str]] = {}
    for chunk in chunks(list(dict.fromkeys(codes)), 400):
        marks = ", ".join("?" * len(chunk))
        state_marks = ", ".join("?" * len(states))
        rows = db.execute(
            "SELECT resource_code, snapshot FROM ("
            "  SELECT resource_code, snapshot, received_at, id, row_number() OVER ("
            "    PARTITION BY resource_code ORDER BY received_at, id) AS n"
            f"  FROM objections WHERE resource_code IN ({marks}) AND state IN ({state_marks})"
            ") WHERE n <= ? ORDER BY resource_code, received_at, id",
            [*chunk, *states, limit],
        )
        for code, snapshot in rows:
            found.setdefault(str(code), []).append(str(snapshot))
    return found


def put_access(
    db: sqlite3.Connection,
    code: str,
    version: int,
    snapshot: str,
    expected_version: int | None,
    audit: AuditEntry,
) -> None:
    if version != (expected_version or 0) + 1:
        raise InvalidValue("version", version, f"{(expected_version or 0) + 1}: one more")
    row = db.execute("SELECT version FROM access_details WHERE resource_code = ?", (code,))
    held_row = row.fetchone()
    held = None if held_row is None else int(held_row[0])
    if held != expected_version:
        raise VersionConflict(code, expected_version or 0, held or 0)
    db.execute(
        "INSERT INTO access_details (resource_code, version, snapshot) VALUES (?, ?, ?) "
        "ON CONFLICT (resource_code) DO UPDATE SET version = excluded.version, "
        "snapshot = excluded.snapshot",
        (code, version, snapshot),
    )
    audits.append(db, [audit])


def access_details(db: sqlite3.Connection, codes: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(list(dict.fromkeys(codes))):
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT resource_code, snapshot FROM access_details WHERE resource_code IN ({marks})",
            chunk,
        )
        found.update((str(c), str(s)) for c, s in rows)
    return found
