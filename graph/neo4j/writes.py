"""The write half of the Neo4j store: transaction functions for `execute_write`.

Each is idempotent, since the driver may run it again after a transient failure: it locks the
codes it writes, reads their versions, decides, and writes with MERGE. Entries come already
checked by `graph.rules.check_resource`, with a valid origin.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.errors import VersionConflict
from graph.model import Catalog, Category, Department, Region, Resource
from graph.neo4j import cypher
from graph.neo4j import outbox as outboxes
from graph.neo4j.rows import (
    Row,
    catalog_row,
    category_row,
    department_row,
    origin_catalog_row,
    region_row,
    resource_row,
)
from graph.neo4j.sequences import refuse_foreign
from graph.neo4j.statements import run
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


async def _lock(
    tx: AsyncManagedTransaction, codes: Sequence[str]
) -> tuple[dict[str, int], set[str]]:
    """Lock `codes`; return, for each, the newest version held or redacted (0: none), and the
    codes that hold an entry."""
    records = await run(tx, cypher.LOCK_RESOURCES, codes=sorted(set(codes)))
    newest = {r["code"]: max(r["held"] or 0, r["redacted"] or 0) for r in records}
    return newest, {r["code"] for r in records if r["held"] is not None}


async def _held(tx: AsyncManagedTransaction, code: str) -> int | None:
    records = await run(tx, cypher.LOCK_RESOURCES, codes=[code])
    held = records[0]["held"]
    return None if held is None else int(held)


async def _ensure_ends(tx: AsyncManagedTransaction, rows: Sequence[Row]) -> None:
    """Make what the entries of `rows` link to — catalogs, providers, categories, themes —
    each once."""
    origins = sorted({row["catalog_id"] for row in rows})
    await run(tx, cypher.ENSURE_CATALOGS, catalogs=[origin_catalog_row(o) for o in origins])
    providers = {row["provider"]["code"]: row["provider"] for row in rows}
    categories = {row["category"]["code"]: row["category"] for row in rows}
    themes = sorted({name for row in rows for name in row["themes"]})
    await run(
        tx,
        cypher.ENSURE_LINK_ENDS,
        providers=[providers[code] for code in sorted(providers)],
        categories=[categories[code] for code in sorted(categories)],
        themes=themes,
    )


async def _replace(tx: AsyncManagedTransaction, rows: Sequence[Row]) -> list[str]:
    """Replace held, locked entries with `rows`; return the codes they were derived from
    before."""
    if not rows:
        return []
    (record,) = await run(tx, cypher.UPSERT_RESOURCES, rows=list(rows))
    return [code for codes in record["old_sources"] for code in codes]


async def _drop_unused(tx: AsyncManagedTransaction, codes: Sequence[str]) -> None:
    """Drop placeholders nothing is derived from among `codes`."""
    if codes:
        await run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=sorted(set(codes)))


async def save_entry(
    tx: AsyncManagedTransaction,
    entry: Resource,
    expected: int | None,
    record: OutboxRecord | None = None,
) -> None:
    held = await _held(tx, entry.code)
    await refuse_foreign(tx, entry)
    if held != expected:
        raise VersionConflict(entry.code, expected or 0, held or 0)
    row = resource_row(entry)
    await _ensure_ends(tx, [row])
    if held is None:
        await run(tx, cypher.CREATE_RESOURCES, rows=[row])
        old_sources: list[str] = []
    else:
        old_sources = await _replace(tx, [row])
    await _drop_unused(tx, old_sources)
    if record is not None:
        await outboxes.write(tx, [record])


async def apply_entries(
    tx: AsyncManagedTransaction,
    entries: Sequence[Resource],
    records: Sequence[OutboxRecord | None],
) -> list[ApplyOutcome]:
    """Apply `entries` in order, each only if its code is not held from another origin (nor
    came earlier in the batch from one) and it is newer than what its code holds or was
    redacted at, and than the same code earlier in the batch; write the outbox records of the
    applied.

    One statement writes the newest of each code where the code holds no entry — the whole of
    a new backlog — and answers what the codes held; a second replaces the held ones."""
    first_origin: dict[str, str] = {}
    finals: dict[str, Resource] = {}
    for entry in entries:
        if first_origin.setdefault(entry.code, entry.origin) != entry.origin:
            continue
        final = finals.get(entry.code)
        if final is None or entry.version > final.version:
            finals[entry.code] = entry
    rows = {code: resource_row(entry) for code, entry in finals.items()}
    await _ensure_ends(tx, list(rows.values()))
    (answer,) = await run(tx, cypher.APPLY_RESOURCES, rows=list(rows.values()))
    codes = answer["codes"]
    newest: dict[str, int] = dict(zip(codes, answer["newest"], strict=True))
    held = {code for code, holds in zip(codes, answer["held"], strict=True) if holds}
    origins = {code: o for code, o in zip(codes, answer["origins"], strict=True) if o}
    origins = {**first_origin, **origins}
    replaced = [
        e
        for e in finals.values()
        if e.code in held and e.version > newest[e.code] and e.origin == origins[e.code]
    ]
    # Codes the statement locked but nothing was written to: a stale write may have made a node.
    unused = [e.code for e in finals.values() if e.code not in held and e.version <= newest[e.code]]
    unused += await _replace(tx, [rows[e.code] for e in replaced])
    await _drop_unused(tx, unused)
    outcomes: list[ApplyOutcome] = []
    sent: list[OutboxRecord] = []
    for entry, record in zip(entries, records, strict=True):
        if entry.origin != origins[entry.code]:
            outcomes.append(ApplyOutcome.CONFLICT)
            continue
        if entry.version <= newest[entry.code]:
            outcomes.append(ApplyOutcome.STALE)
            continue
        newest[entry.code] = entry.version
        outcomes.append(ApplyOutcome.APPLIED)
        if record is not None:
            sent.append(record)
    await outboxes.write(tx, sent)
    return outcomes


async def redact_entry(
    tx: AsyncManagedTransaction, code: str, version: int, record: OutboxRecord | None = None
) -> ApplyOutcome:
    newest, _ = await _lock(tx, [code])
    if version <= newest[code]:
        await run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=[code])
        return ApplyOutcome.STALE
    (old,) = await run(tx, cypher.SOURCES_OF, codes=[code])
    await run(tx, cypher.REDACT_RESOURCE, code=code, version=version)
    await run(tx, cypher.DROP_UNUSED_PLACEHOLDERS, codes=[code, *old["codes"]])
    if record is not None:
        await outboxes.write(tx, [record])
    return ApplyOutcome.APPLIED


async def put_regions(tx: AsyncManagedTransaction, regions: Sequence[Region]) -> None:
    await run(tx, cypher.PUT_REGIONS, regions=[region_row(r) for r in regions])


async def put_catalogs(tx: AsyncManagedTransaction, catalogs: Sequence[Catalog]) -> None:
    await run(tx, cypher.PUT_CATALOGS, catalogs=[catalog_row(c) for c in catalogs])


async def put_departments(tx: AsyncManagedTransaction, departments: Sequence[Department]) -> None:
    await run(tx, cypher.PUT_DEPARTMENTS, departments=[department_row(d) for d in departments])


async def put_categories(tx: AsyncManagedTransaction, categories: Sequence[Category]) -> None:
    await run(tx, cypher.PUT_CATEGORIES, categories=[category_row(c) for c in categories])
