"""The write half of the Neo4j store: transaction functions for `execute_write`.

Each is idempotent, since the driver may run it again after a transient failure: it locks the
codes it writes, reads their versions, decides, and writes with MERGE. Entries come already
checked by `graph.rules.check_resource`, with a valid origin.
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncManagedTransaction

from graph.chunks import chunks
from graph.errors import VersionConflict
from graph.model import Catalog, Category, Department, Region, Resource
from graph.neo4j import outbox as outboxes
from graph.neo4j.cypher.reference import PUT_CATALOGS, PUT_CATEGORIES, PUT_DEPARTMENTS, PUT_REGIONS
from graph.neo4j.cypher.writes import (
    APPLY_RESOURCES,
    CREATE_RESOURCES,
    DROP_UNUSED_PLACEHOLDERS,
    ENSURE_CATALOGS,
    ENSURE_LINK_ENDS,
    LOCK_RESOURCES,
    REDACT_RESOURCE,
    REFERRERS,
    SOURCES_OF,
    UPSERT_RESOURCES,
)
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
from graph.snapshot import resource_from_json
from graph.versions import Clearance, clearance_changed, decide_apply, narrows

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
) -> tuple[dict[str, int], dict[str, Clearance | None]]:
    """Lock `codes`; return, for each, the newest version held or redacted (0: none), and the
    clearance of what it holds (None: no entry)."""
    records = await run(tx, LOCK_RESOURCES, codes=sorted(set(codes)))
    newest = {r["code"]: max(r["held"] or 0, r["redacted"] or 0) for r in records}
    return newest, {
        r["code"]: Clearance.from_fields(r["state"], r["classification"])
        if r["held"] is not None
        else None
        for r in records
    }


async def _held(tx: AsyncManagedTransaction, code: str) -> tuple[int | None, Clearance | None]:
    (record,) = await run(tx, LOCK_RESOURCES, codes=[code])
    held = record["held"]
    if held is None:
        return None, None
    return int(held), Clearance.from_fields(record["state"], record["classification"])


# A write that sends on: the code, its clearance before and after, and its outbox record.
Change = tuple[str, Clearance | None, Clearance | None, OutboxRecord]


async def _send_on(tx: AsyncManagedTransaction, changes: Sequence[Change]) -> None:
    """Write the outbox records of `changes`, urgent where the write narrows, each followed
    by a refresh record of every shared entry that refers to an entry whose clearance
    changed (`graph.outbox.REFRESH`)."""
    changed = sorted(
        {code for code, before, after, _ in changes if clearance_changed(before, after)}
    )
    referrers: dict[str, list[str]] = {}
    for chunk in chunks(changed):
        for r in await run(tx, REFERRERS, codes=list(chunk)):
            referrers[r["code"]] = list(r["referrers"])
    records: list[OutboxRecord] = []
    for code, before, after, record in changes:
        records.append(OutboxRecord(record.key, record.payload, urgent=narrows(before, after)))
        if clearance_changed(before, after):
            records += [OutboxRecord.refresh(referrer) for referrer in referrers.get(code, ())]
    await outboxes.write(tx, records)


async def _ensure_ends(tx: AsyncManagedTransaction, rows: Sequence[Row]) -> None:
    """Make what the entries of `rows` link to — catalogs, providers, categories, themes —
    each once."""
    origins = sorted({row["catalog_id"] for row in rows})
    await run(tx, ENSURE_CATALOGS, catalogs=[origin_catalog_row(o) for o in origins])
    providers = {row["provider"]["code"]: row["provider"] for row in rows}
    categories = {row["category"]["code"]: row["category"] for row in rows}
    themes = sorted({name for row in rows for name in row["themes"]})
    await run(
        tx,
        ENSURE_LINK_ENDS,
        providers=[providers[code] for code in sorted(providers)],
        categories=[categories[code] for code in sorted(categories)],
        themes=themes,
    )


async def _replace(tx: AsyncManagedTransaction, rows: Sequence[Row]) -> list[str]:
    """Replace held, locked entries with `rows`; return the codes they were derived from
    before."""
    if not rows:
        return []
    (record,) = await run(tx, UPSERT_RESOURCES, rows=list(rows))
    return [code for codes in record["old_sources"] for code in codes]


async def _drop_unused(tx: AsyncManagedTransaction, codes: Sequence[str]) -> None:
    """Drop placeholders nothing is derived from among `codes`."""
    if codes:
        await run(tx, DROP_UNUSED_PLACEHOLDERS, codes=sorted(set(codes)))


async def save_entry(
    tx: AsyncManagedTransaction,
    entry: Resource,
    expected: int | None,
    record: OutboxRecord | None = None,
) -> None:
    held, before = await _held(tx, entry.code)
    await refuse_foreign(tx, entry)
    if held != expected:
        raise VersionConflict(entry.code, expected or 0, held or 0)
    row = resource_row(entry)
    await _ensure_ends(tx, [row])
    if held is None:
        await run(tx, CREATE_RESOURCES, rows=[row])
        old_sources: list[str] = []
    else:
        old_sources = await _replace(tx, [row])
    await _drop_unused(tx, old_sources)
    if record is not None:
        await _send_on(tx, [(entry.code, before, Clearance.of(entry), record)])


async def apply_entries(
    tx: AsyncManagedTransaction,
    entries: Sequence[Resource],
    records: Sequence[OutboxRecord | None],
) -> list[ApplyOutcome]:
    """Apply `entries` in order as `graph.versions.decide_apply` decides — each only if its
    code is not held from another origin (nor came earlier in the batch from one), and newer
    than what its code holds or was redacted at and than the same code earlier in the batch,
    or the same version with other references; write the outbox records of the applied.

    One statement writes the newest of each code where the code holds no entry — the whole of
    a new backlog — and answers what the codes held; a second replaces the held ones."""
    first_origin: dict[str, str] = {}
    finals: dict[str, Resource] = {}
    for entry in entries:
        if first_origin.setdefault(entry.code, entry.origin) != entry.origin:
            continue
        final = finals.get(entry.code)
        # Of equal versions the later wins: a re-send with other references follows the first.
        if final is None or entry.version >= final.version:
            finals[entry.code] = entry
    rows = {code: resource_row(entry) for code, entry in finals.items()}
    await _ensure_ends(tx, list(rows.values()))
    (answer,) = await run(tx, APPLY_RESOURCES, rows=list(rows.values()))
    codes = answer["codes"]
    newest: dict[str, int] = dict(zip(codes, answer["newest"], strict=True))
    held_before = dict(newest)
    held = {code for code, holds in zip(codes, answer["held"], strict=True) if holds}
    origins = {code: o for code, o in zip(codes, answer["origins"], strict=True) if o}
    before = {
        code: Clearance.from_fields(*pair) if pair else None
        for code, pair in zip(codes, answer["before"], strict=True)
    }
    same = {code: s for code, s in zip(codes, answer["same"], strict=True) if s}
    held_origins = {code: origins[code] for code in held}
    origins = {**first_origin, **origins}
    decided = {
        e.code: decide_apply(
            e,
            held=resource_from_json(same[e.code]) if e.code in same else None,
            held_origin=held_origins.get(e.code),
            newest=newest[e.code],
        )
        for e in finals.values()
    }
    replaced = [
        e for e in finals.values() if e.code in held and decided[e.code] is ApplyOutcome.APPLIED
    ]
    # Codes the statement locked but nothing was written to: a stale write may have made a node.
    unused = [e.code for e in finals.values() if e.code not in held and e.version <= newest[e.code]]
    unused += await _replace(tx, [rows[e.code] for e in replaced])
    await _drop_unused(tx, unused)
    outcomes: list[ApplyOutcome] = []
    sent: list[Change] = []
    for entry, record in zip(entries, records, strict=True):
        if entry.origin != origins[entry.code]:
            outcomes.append(ApplyOutcome.CONFLICT)
            continue
        if entry.version > newest[entry.code]:
            newest[entry.code] = entry.version
        elif not (  # the same version, re-sent with other references
            finals.get(entry.code) is entry
            and entry.version == held_before[entry.code]
            and decided[entry.code] is ApplyOutcome.APPLIED
        ):
            outcomes.append(ApplyOutcome.STALE)
            continue
        outcomes.append(ApplyOutcome.APPLIED)
        if record is not None:
            sent.append((entry.code, before[entry.code], Clearance.of(entry), record))
    await _send_on(tx, sent)
    return outcomes


async def redact_entry(
    tx: AsyncManagedTransaction, code: str, version: int, record: OutboxRecord | None = None
) -> ApplyOutcome:
    newest, before = await _lock(tx, [code])
    if version <= newest[code]:
        await run(tx, DROP_UNUSED_PLACEHOLDERS, codes=[code])
        return ApplyOutcome.STALE
    (old,) = await run(tx, SOURCES_OF, codes=[code])
    await run(tx, REDACT_RESOURCE, code=code, version=version)
    await run(tx, DROP_UNUSED_PLACEHOLDERS, codes=[code, *old["codes"]])
    if record is not None:
        await _send_on(tx, [(code, before[code], None, record)])
    return ApplyOutcome.APPLIED


async def put_regions(tx: AsyncManagedTransaction, regions: Sequence[Region]) -> None:
    await run(tx, PUT_REGIONS, regions=[region_row(r) for r in regions])


async def put_catalogs(tx: AsyncManagedTransaction, catalogs: Sequence[Catalog]) -> None:
    await run(tx, PUT_CATALOGS, catalogs=[catalog_row(c) for c in catalogs])


async def put_departments(tx: AsyncManagedTransaction, departments: Sequence[Department]) -> None:
    await run(tx, PUT_DEPARTMENTS, departments=[department_row(d) for d in departments])


async def put_categories(tx: AsyncManagedTransaction, categories: Sequence[Category]) -> None:
    await run(tx, PUT_CATEGORIES, categories=[category_row(c) for c in categories])
