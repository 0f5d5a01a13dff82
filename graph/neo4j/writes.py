"""The write half of the Neo4j store: transaction functions for `execute_write`.

Each is idempotent, since the driver may run it again after a transient failure: it locks the
codes it writes, reads their versions, decides, and writes with MERGE. Entries come already
checked by `graph.rules.check_resource`, with a valid origin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.errors import VersionConflict
from graph.model import Catalog, Category, Department, Region, Resource
from graph.neo4j import cypher
from graph.neo4j import outbox as outboxes
from graph.neo4j.rows import (
    catalog_row,
    category_row,
    department_row,
    origin_catalog_row,
    region_row,
    resource_row,
)
from graph.outbox import OutboxRecord
from graph.queries import ApplyOutcome

__all__ = [
    "apply_entries",
    "put_catalogs",
    "put_categories",
    "put_departments",
    "put_regions",
    "redact_entry",
    "save_entry",
]


async def _run(tx: AsyncManagedTransaction, query: str, **params: Any) -> list[Any]:
    result = await tx.run(query, params)
    return [record async for record in result]


async def _lock(
    tx: AsyncManagedTransaction, codes: Sequence[str]
) -> tuple[dict[str, int], set[str]]:
    """Lock `codes`; return, for each, the newest version held or redacted (0: none), and the
    codes that hold an entry."""
    records = await _run(tx, cypher.LOCK_RESOURCES, codes=sorted(set(codes)))
    newest = {r["code"]: max(r["held"] or 0, r["redacted"] or 0) for r in records}
    return newest, {r["code"] for r in records if r["held"] is not None}


async def _held(tx: AsyncManagedTransaction, code: str) -> int | None:
    records = await _run(tx, cypher.LOCK_RESOURCES, codes=[code])
    held = records[0]["held"]
    return None if held is None else int(held)


async def _write(
    tx: AsyncManagedTransaction, entries: Sequence[Resource], locked: list[str], held: set[str]
) -> None:
    """Replace `entries` (distinct codes, all locked; `held`: those of them that hold an entry),
    then drop placeholders left unused. A code that held no entry has nothing to clear."""
    if entries:
        origins = sorted({entry.origin for entry in entries})
        await _run(tx, cypher.ENSURE_CATALOGS, catalogs=[origin_catalog_row(o) for o in origins])
        replaced = [entry for entry in entries if entry.code in held]
        created = [entry for entry in entries if entry.code not in held]
        if replaced:
            (old,) = await _run(tx, cypher.SOURCES_OF, codes=[entry.code for entry in replaced])
            await _run(
                tx, cypher.UPSERT_RESOURCES, rows=[resource_row(entry) for entry in replaced]
            )
            locked = [*locked, *old["codes"]]
        if created:
            await _run(tx, cypher.CREATE_RESOURCES, rows=[resource_row(entry) for entry in created])
    await _run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=locked)


async def save_entry(
    tx: AsyncManagedTransaction,
    entry: Resource,
    expected: int | None,
    record: OutboxRecord | None = None,
) -> None:
    held = await _held(tx, entry.code)
    if held != expected:
        raise VersionConflict(entry.code, expected or 0, held or 0)
    await _write(tx, [entry], [entry.code], set() if held is None else {entry.code})
    if record is not None:
        await outboxes.write(tx, [record])


async def apply_entries(
    tx: AsyncManagedTransaction,
    entries: Sequence[Resource],
    records: Sequence[OutboxRecord | None],
) -> list[ApplyOutcome]:
    newest, held = await _lock(tx, [entry.code for entry in entries])
    outcomes: list[ApplyOutcome] = []
    winners: dict[str, Resource] = {}
    sent: list[OutboxRecord] = []
    for entry, record in zip(entries, records, strict=True):
        if entry.version <= newest[entry.code]:
            outcomes.append(ApplyOutcome.STALE)
            continue
        newest[entry.code] = entry.version
        winners[entry.code] = entry
        outcomes.append(ApplyOutcome.APPLIED)
        if record is not None:
            sent.append(record)
    await _write(tx, list(winners.values()), list(newest), held)
    await outboxes.write(tx, sent)
    return outcomes


async def redact_entry(
    tx: AsyncManagedTransaction, code: str, version: int, record: OutboxRecord | None = None
) -> ApplyOutcome:
    newest, _ = await _lock(tx, [code])
    if version <= newest[code]:
        await _run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=[code])
        return ApplyOutcome.STALE
    (old,) = await _run(tx, cypher.SOURCES_OF, codes=[code])
    await _run(tx, cypher.REDACT_RESOURCE, code=code, version=version)
    await _run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=[code, *old["codes"]])
    if record is not None:
        await outboxes.write(tx, [record])
    return ApplyOutcome.APPLIED


async def put_regions(tx: AsyncManagedTransaction, regions: Sequence[Region]) -> None:
    await _run(tx, cypher.PUT_REGIONS, regions=[region_row(r) for r in regions])


async def put_catalogs(tx: AsyncManagedTransaction, catalogs: Sequence[Catalog]) -> None:
    await _run(tx, cypher.PUT_CATALOGS, catalogs=[catalog_row(c) for c in catalogs])


async def put_departments(tx: AsyncManagedTransaction, departments: Sequence[Department]) -> None:
    await _run(tx, cypher.PUT_DEPARTMENTS, departments=[department_row(d) for d in departments])


async def put_categories(tx: AsyncManagedTransaction, categories: Sequence[Category]) -> None:
    await _run(tx, cypher.PUT_CATEGORIES, categories=[category_row(c) for c in categories])
