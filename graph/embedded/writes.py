"""The write half of the embedded store: functions run inside one transaction on the worker
thread. Each takes entries already checked by `graph.rules.check_resource`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from graph.chunks import chunks
from graph.codes import check_region_code
from graph.embedded import outbox as outboxes
from graph.embedded.search import index_entries, unindex
from graph.embedded.sequences import refuse_foreign
from graph.errors import InvalidValue, VersionConflict
from graph.model import Catalog, Category, Department, Region, Resource, parse_catalog_id
from graph.outbox import OutboxRecord
from graph.queries import ApplyOutcome
from graph.snapshot import resource_from_json, resource_to_json
from graph.versions import Clearance, clearance_changed, decide_apply, narrows

__all__ = [
    "Change",
    "apply_entries",
    "put_catalogs",
    "put_categories",
    "put_departments",
    "put_regions",
    "redact_entry",
    "save_entry",
    "send_on",
]

# A write that sends on: the code, its clearance before and after, and its outbox record.
Change = tuple[str, Clearance | None, Clearance | None, OutboxRecord]


def _held(sqlite: sqlite3.Connection, code: str) -> tuple[int, str, Clearance | None] | None:
    """The version, origin and clearance `code` holds, in one read; None: no entry."""
    row = sqlite.execute(
        "SELECT version, catalog_id, state, json_extract(snapshot, '$.classification') "
        "FROM resources WHERE code = ?",
        (code,),
    ).fetchone()
    return (
        None if row is None else (int(row[0]), str(row[1]), Clearance.from_fields(row[2], row[3]))
    )


def _tombstone_version(sqlite: sqlite3.Connection, code: str) -> int | None:
    row = sqlite.execute("SELECT version FROM tombstones WHERE code = ?", (code,)).fetchone()
    return None if row is None else int(row[0])


def _ensure_catalog(sqlite: sqlite3.Connection, origin: str) -> tuple[str, str]:
    """The region and level of catalog `origin`; a catalog not known yet is added with its id
    for a name, until `put_catalogs` names it."""
    region, zone = parse_catalog_id(origin)
    sqlite.execute(
        "INSERT INTO catalogs (id, region_code, zone, name, parent_id) VALUES (?, ?, ?, ?, NULL) "
        "ON CONFLICT (id) DO NOTHING",
        (origin, region, zone.value, origin),
    )
    return region, Catalog(region, zone, origin).level.value


def _ensure_provider(sqlite: sqlite3.Connection, entry: Resource, catalog_region: str) -> None:
    # A department registered locally carries its region in characters 3–8 of its code.
    region = entry.provider_code[2:8]
    try:
        check_region_code(region)
    except InvalidValue:
        region = catalog_region
    sqlite.execute(
        "INSERT INTO departments (code, name, region_code) VALUES (?, ?, ?) "
        "ON CONFLICT (code) DO NOTHING",
        (entry.provider_code, entry.provider_name, region),
    )


class _Known:
    """What one transaction has already made sure of: each catalog's region and level, the
    providers and item names added — once each per transaction, not per entry — and the entries
    whose index rows are still to be written (`graph.embedded.search.index_entries`: by
    resources rowid, the last entry written there and whether the row was new at first)."""

    __slots__ = ("catalogs", "item_names", "providers", "unindexed")

    def __init__(self) -> None:
        self.catalogs: dict[str, tuple[str, str]] = {}
        self.providers: set[str] = set()
        self.item_names: set[str] = set()
        self.unindexed: dict[int, tuple[Resource, bool]] = {}


def _write(
    sqlite: sqlite3.Connection, entry: Resource, known: _Known, *, new: bool = False
) -> None:
    """Insert or replace `entry` with its themes, share modes, edges and item names; its index
    text is left in `known.unindexed`, for the caller to write once its other rows are
    written. `new`: the code holds no entry now, so it has no rows of themes, share modes or
    edges to delete (they go with their entry: ON DELETE CASCADE)."""
    placed = known.catalogs.get(entry.origin)
    if placed is None:
        placed = known.catalogs[entry.origin] = _ensure_catalog(sqlite, entry.origin)
    catalog_region, level = placed
    if entry.provider_code not in known.providers:
        _ensure_provider(sqlite, entry, catalog_region)
        known.providers.add(entry.provider_code)
    (rowid,) = sqlite.execute(
        "INSERT INTO resources (code, version, name, provider_code, kind, share_type, "
        "update_cycle, open_to_public, state, catalog_id, catalog_region, level, snapshot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET version = excluded.version, name = excluded.name, "
        "provider_code = excluded.provider_code, kind = excluded.kind, "
        "share_type = excluded.share_type, update_cycle = excluded.update_cycle, "
        "open_to_public = excluded.open_to_public, state = excluded.state, "
        "catalog_id = excluded.catalog_id, catalog_region = excluded.catalog_region, "
        "level = excluded.level, snapshot = excluded.snapshot "
        "RETURNING rowid",
        (
            entry.code,
            entry.version,
            entry.name,
            entry.provider_code,
            entry.kind.value,
            entry.share_type.value,
            entry.update_cycle.value,
            int(entry.open_to_public),
            entry.state.value,
            entry.origin,
            catalog_region,
            level,
            resource_to_json(entry),
        ),
    ).fetchone()
    code = entry.code
    if not new:
        for table in ("resource_themes", "resource_share_modes", "related"):
            sqlite.execute(f"DELETE FROM {table} WHERE resource_code = ?", (code,))
        sqlite.execute("DELETE FROM lineage WHERE derived_code = ?", (code,))
    names = [item.name for item in entry.items if item.name not in known.item_names]
    _insert(sqlite, "item_names (name)", [(name,) for name in names], "ON CONFLICT DO NOTHING")
    known.item_names.update(names)
    themes = [(code, theme) for theme in sorted(entry.themes)]
    _insert(sqlite, "resource_themes (resource_code, theme)", themes)
    modes = [(code, mode.value) for mode in sorted(entry.share_modes)]
    _insert(sqlite, "resource_share_modes (resource_code, share_mode)", modes)
    related = [(code, other) for other in entry.related_codes]
    _insert(sqlite, "related (resource_code, related_code)", related)
    sources = [(code, source) for source in entry.derived_from]
    _insert(sqlite, "lineage (derived_code, source_code)", sources)
    # A code written twice in one batch keeps the first write's `new`: whether an index row
    # was there before the batch.
    first = known.unindexed.get(rowid)
    known.unindexed[rowid] = (entry, new if first is None else first[1])


def _insert(
    sqlite: sqlite3.Connection, into: str, rows: Sequence[tuple[str, ...]], then: str = ""
) -> None:
    """`rows` into `into` (a table and its columns, named by this module) in one statement a
    chunk, not one a row: each row of an `executemany` is a step of its own, and each step
    gives the GIL up and waits to take it back — beside a thread that computes, up to the
    switch interval (bench/convoy_bench.py)."""
    for chunk in chunks(rows, _ROWS_PER_INSERT):
        marks = ", ".join([f"({', '.join('?' * len(chunk[0]))})"] * len(chunk))
        params = [value for row in chunk for value in row]
        sqlite.execute(f"INSERT INTO {into} VALUES {marks} {then}", params)


# Rows of two values: 2,000 bound parameters, well below SQLite's 32,766.
_ROWS_PER_INSERT = 1_000


def _delete(sqlite: sqlite3.Connection, code: str) -> None:
    row = sqlite.execute("SELECT rowid FROM resources WHERE code = ?", (code,)).fetchone()
    if row is None:
        return
    unindex(sqlite, row[0])
    # themes, share modes, related codes and outgoing lineage go by ON DELETE CASCADE.
    sqlite.execute("DELETE FROM resources WHERE code = ?", (code,))


def _held_entry(sqlite: sqlite3.Connection, code: str) -> Resource | None:
    row = sqlite.execute("SELECT snapshot FROM resources WHERE code = ?", (code,)).fetchone()
    return None if row is None else resource_from_json(row[0])


def save_entry(
    sqlite: sqlite3.Connection, entry: Resource, expected: int | None
) -> Clearance | None:
    """Write `entry` over version `expected` (None: a new code); its clearance before."""
    refuse_foreign(sqlite, entry)
    version, _, before = _held(sqlite, entry.code) or (None, None, None)
    if version != expected:
        raise VersionConflict(entry.code, expected or 0, version or 0)
    known = _Known()
    _write(sqlite, entry, known)
    index_entries(sqlite, known.unindexed)
    return before


def apply_entries(
    sqlite: sqlite3.Connection, entries: Sequence[Resource]
) -> list[tuple[ApplyOutcome, Clearance | None]]:
    """Apply each copy as `graph.versions.decide_apply` decides; each outcome with the
    clearance the code held before."""
    outcomes = []
    known = _Known()
    for entry in entries:
        row = sqlite.execute(_HELD_FOR_APPLY, (entry.code, entry.code)).fetchone()
        version = None if row[0] is None else int(row[0])
        origin = None if row[1] is None else str(row[1])
        before = Clearance.from_fields(row[2], row[3])
        newest = max(version or 0, int(row[6] or 0))
        held = None
        # The held entry is read only where it decides: an equal version with other
        # references (`decide_apply` applies an equal version for nothing else).
        if version == entry.version and (
            tuple(json.loads(row[4])),
            tuple(json.loads(row[5])),
        ) != (entry.related_codes, entry.derived_from):
            held = _held_entry(sqlite, entry.code)
        outcome = decide_apply(entry, held=held, held_origin=origin, newest=newest)
        if outcome is ApplyOutcome.APPLIED:
            _write(sqlite, entry, known, new=version is None)
        outcomes.append((outcome, before))
    index_entries(sqlite, known.unindexed)
    return outcomes


# One read per copy: what `_held` and `_tombstone_version` read, and the held entry's
# references.
_HELD_FOR_APPLY = (
    "SELECT r.version, r.catalog_id, r.state, json_extract(r.snapshot, '$.classification'), "
    "json_extract(r.snapshot, '$.related_codes'), json_extract(r.snapshot, '$.derived_from'), "
    "(SELECT t.version FROM tombstones t WHERE t.code = ?) "
    "FROM (SELECT 1) LEFT JOIN resources r ON r.code = ?"
)


def redact_entry(
    sqlite: sqlite3.Connection, code: str, version: int
) -> tuple[ApplyOutcome, Clearance | None]:
    held, _, before = _held(sqlite, code) or (None, None, None)
    newest = max(held or 0, _tombstone_version(sqlite, code) or 0)
    if version <= newest:
        return ApplyOutcome.STALE, None
    _delete(sqlite, code)
    sqlite.execute(
        "INSERT INTO tombstones (code, version) VALUES (?, ?) "
        "ON CONFLICT (code) DO UPDATE SET version = excluded.version",
        (code, version),
    )
    return ApplyOutcome.APPLIED, before


def _referrers(sqlite: sqlite3.Connection, code: str) -> list[str]:
    """The shared entries held here that name `code` (related or derived from)."""
    # The few codes that name it first (CROSS JOIN keeps that order), then each one's state:
    # driven from `resources` by state, this read every shared entry once per write.
    rows = sqlite.execute(
        "SELECT r.code FROM (SELECT resource_code AS code FROM related WHERE related_code = ? "
        "UNION SELECT derived_code FROM lineage WHERE source_code = ?) AS named "
        "CROSS JOIN resources r ON r.code = named.code "
        "WHERE r.state IN ('PUBLISHED', 'RETIRED') ORDER BY r.code",
        (code, code),
    )
    return [str(c) for (c,) in rows]


def send_on(sqlite: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Write the outbox records of `changes`, urgent where the write narrows, each followed
    by a refresh record of every shared entry that refers to an entry whose clearance
    changed (`graph.outbox.REFRESH`)."""
    records: list[OutboxRecord] = []
    for code, before, after, record in changes:
        records.append(OutboxRecord(record.key, record.payload, urgent=narrows(before, after)))
        if clearance_changed(before, after):
            records += [OutboxRecord.refresh(referrer) for referrer in _referrers(sqlite, code)]
    outboxes.write(sqlite, records)


def put_regions(sqlite: sqlite3.Connection, regions: Sequence[Region]) -> None:
    sqlite.executemany(
        "INSERT INTO regions (code, name, parent_code) VALUES (?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
        "parent_code = excluded.parent_code",
        [(r.code, r.name, r.parent_code) for r in regions],
    )


def put_catalogs(sqlite: sqlite3.Connection, catalogs: Sequence[Catalog]) -> None:
    sqlite.executemany(
        "INSERT INTO catalogs (id, region_code, zone, name, parent_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET region_code = excluded.region_code, "
        "zone = excluded.zone, name = excluded.name, parent_id = excluded.parent_id",
        [(c.id, c.region_code, c.zone.value, c.name, c.parent_id) for c in catalogs],
    )


def put_departments(sqlite: sqlite3.Connection, departments: Sequence[Department]) -> None:
    sqlite.executemany(
        "INSERT INTO departments (code, name, region_code, leads) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
        "region_code = excluded.region_code, leads = excluded.leads",
        [(d.code, d.name, d.region_code, json.dumps(sorted(d.leads))) for d in departments],
    )


def put_categories(sqlite: sqlite3.Connection, categories: Sequence[Category]) -> None:
    sqlite.executemany(
        "INSERT INTO categories (code, name) VALUES (?, ?) "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        [(c.code, c.name) for c in categories],
    )
