"""The Neo4j store's share requests, objections and access details (graph.sharing):
transaction functions, run in the store's managed transactions. A write takes the audit
head's lock first (`graph.neo4j.audit`), then its node's, reads the version, decides, writes
and appends its records — all or nothing, and safe to run again after a transient failure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, TypeVar

from neo4j import AsyncManagedTransaction

from graph.audit.records import AuditEntry
from graph.chunks import chunks
from graph.errors import InvalidValue, NotFound, VersionConflict
from graph.neo4j import audit as audits
from graph.neo4j.cypher import all_of, fill
from graph.neo4j.cypher.sharing import (
    ACCESS_BY_CODES,
    COUNT_OBJECTIONS,
    COUNT_SHARE_REQUESTS,
    LOCK_ACCESS,
    LOCK_OBJECTION,
    LOCK_SHARE_REQUEST,
    OBJECTIONS_BY_ID,
    OPEN_OBJECTIONS,
    PAGE_OBJECTIONS,
    PAGE_SHARE_REQUESTS,
    PUT_ACCESS,
    SHARE_REQUESTS_BY_ID,
    TALLY_REQUESTS,
    WHEN_AFTER,
    WHEN_DUE_BEFORE,
    WHEN_PARTY,
    WHEN_PROVIDER_CODE,
    WHEN_PROVISIONAL,
    WHEN_RESOURCE_CODE,
    WHEN_STATES,
    WRITE_OBJECTION,
    WRITE_SHARE_REQUEST,
)
from graph.neo4j.statements import run
from graph.queries import check_page_size
from graph.sharing.queries import Page, Selection, decode_position, encode_position

__all__ = ["access_details", "by_ids", "create", "find", "open_by_code", "put_access", "update"]

T = TypeVar("T")
Label = Literal["ShareRequest", "Objection"]
_WHAT: dict[str, str] = {"ShareRequest": "share request", "Objection": "objection"}


class _Statements(NamedTuple):
    lock: str
    write: str
    by_id: str
    total: str
    page: str


_OF: dict[str, _Statements] = {
    "ShareRequest": _Statements(
        LOCK_SHARE_REQUEST,
        WRITE_SHARE_REQUEST,
        SHARE_REQUESTS_BY_ID,
        COUNT_SHARE_REQUESTS,
        PAGE_SHARE_REQUESTS,
    ),
    "Objection": _Statements(
        LOCK_OBJECTION, WRITE_OBJECTION, OBJECTIONS_BY_ID, COUNT_OBJECTIONS, PAGE_OBJECTIONS
    ),
}
# A list's condition for each field of `Selection`.
_WHEN = {
    "resource_code": WHEN_RESOURCE_CODE,
    "party": WHEN_PARTY,
    "provider_code": WHEN_PROVIDER_CODE,
    "states": WHEN_STATES,
    "due_before": WHEN_DUE_BEFORE,
    "provisional": WHEN_PROVISIONAL,
}


def _check_audit(audit: Sequence[AuditEntry]) -> list[AuditEntry]:
    if not audit:
        raise InvalidValue("audit", "none", "the audit record of each step written")
    return list(audit)


def _props(columns: Mapping[str, Any], snapshot: str) -> dict[str, Any]:
    return {**{k: v for k, v in columns.items() if k != "id"}, "snapshot": snapshot}


async def create(
    tx: AsyncManagedTransaction,
    label: Label,
    columns: Mapping[str, Any],
    snapshot: str,
    audit: Sequence[AuditEntry],
    chain: audits.Chain,
) -> None:
    entries = _check_audit(audit)
    (held,) = await run(tx, _OF[label].lock, id=columns["id"])
    if held["version"] is not None:
        raise VersionConflict(columns["id"], 0, int(held["version"]))
    await run(tx, _OF[label].write, id=columns["id"], props=_props(columns, snapshot))
    if label == "ShareRequest":
        await run(tx, TALLY_REQUESTS, code=columns["resource_code"])
    await chain.append(tx, entries)  # last: the audit head's lock is the last one taken


async def update(
    tx: AsyncManagedTransaction,
    label: Label,
    columns: Mapping[str, Any],
    snapshot: str,
    expected_version: int,
    audit: Sequence[AuditEntry],
    chain: audits.Chain,
) -> None:
    entries = _check_audit(audit)
    id = columns["id"]
    if columns["version"] <= expected_version:
        raise InvalidValue(
            "version", columns["version"], f"a version after {expected_version}, the one replaced"
        )
    (held,) = await run(tx, _OF[label].lock, id=id)
    if held["version"] is None:
        raise NotFound(_WHAT[label], id)
    if int(held["version"]) != expected_version:
        raise VersionConflict(id, expected_version, int(held["version"]))
    await run(tx, _OF[label].write, id=id, props=_props(columns, snapshot))
    await chain.append(tx, entries)


async def by_ids(tx: AsyncManagedTransaction, label: Label, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        rows = await run(tx, _OF[label].by_id, ids=list(chunk))
        found.update((str(r["id"]), str(r["snapshot"])) for r in rows)
    return found


async def find(
    tx: AsyncManagedTransaction,
    label: Label,
    chosen: Selection,
    first: int,
    after: str | None,
    read: Callable[[str], T],
) -> Page[T]:
    first = check_page_size(first)
    conditions: list[str] = []
    params: dict[str, Any] = {}
    for name, condition in _WHEN.items():
        value = getattr(chosen, name)
        if value is not None and value != ():
            conditions.append(condition)
            params[name] = list(value) if isinstance(value, tuple) else value
    (counted,) = await run(tx, fill(_OF[label].total, where=all_of(conditions)), params)
    if after is not None:
        at, id = decode_position(after)
        conditions.append(WHEN_AFTER)
        params.update(after_at=at, after_id=id)
    rows = await run(tx, fill(_OF[label].page, where=all_of(conditions)), params, limit=first + 1)
    items = [read(str(r["snapshot"])) for r in rows[:first]]
    last: Any = items[-1] if items else None
    return Page(
        tuple(items),
        int(counted["total"]),
        None if last is None else encode_position(last.received_at, last.id),
        len(rows) > first,
    )


async def open_by_code(
    tx: AsyncManagedTransaction, codes: Sequence[str], states: Sequence[str], limit: int
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for chunk in chunks(list(dict.fromkeys(codes))):
        rows = await run(tx, OPEN_OBJECTIONS, codes=list(chunk), states=list(states), limit=limit)
        found.update((str(r["code"]), [str(s) for s in r["snapshots"]]) for r in rows)
    return found


async def put_access(
    tx: AsyncManagedTransaction,
    code: str,
    version: int,
    snapshot: str,
    expected_version: int | None,
    audit: AuditEntry,
    chain: audits.Chain,
) -> None:
    if version != (expected_version or 0) + 1:
        raise InvalidValue("version", version, f"{(expected_version or 0) + 1}: one more")
    (row,) = await run(tx, LOCK_ACCESS, code=code)
    held = None if row["version"] is None else int(row["version"])
    if held != expected_version:
        raise VersionConflict(code, expected_version or 0, held or 0)
    await run(tx, PUT_ACCESS, code=code, version=version, snapshot=snapshot)
    await chain.append(tx, [audit])


async def access_details(tx: AsyncManagedTransaction, codes: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in chunks(list(dict.fromkeys(codes))):
        rows = await run(tx, ACCESS_BY_CODES, codes=list(chunk))
        found.update((str(r["code"]), str(r["snapshot"])) for r in rows)
    return found
