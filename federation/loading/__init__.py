"""``mulu load``: entries written into an instance's store the way its own maintenance writes
them — each with its change event in the outbox — so that its links carry them on.

`mulu serve --sample N` writes around the outbox (a bare catalog for one instance to serve);
`mulu load` is for a running deployment. The rules:

1. Each entry is written with its change event (`sync.events.outbox_record`) in the
   transaction of the write (`CatalogStore.apply`), so the instance's relays send it: at once
   when they run in this process, within about a second from another process on the
   embedded store (its file is watched, `graph.embedded.changes`), within 5 s on Neo4j.
2. Only the instance's own entries: an entry whose origin is another catalog is what a link
   brings, never loaded (一数一源); every entry is checked by `graph.rules` for the instance's
   zone. The source is read and checked in full before the first write: a refused entry stops
   the load naming its line and why, and nothing is written.
3. Bounded before any work: at most `MAX_ENTRIES` entries, a file of at most `max_bytes`.
4. Newest wins: an entry held at the same or a newer version is skipped (STALE), so a load
   run twice writes nothing the second time and sends nothing twice.

Sources: the sample catalog's own entries of the instance (`own_sample`, about N, with the
sample's reference data), or a file of JSON Lines, one entry a line as
`graph.snapshot.resource_to_json` writes it (`read_entries`, read by the strict
`sync.snapshots.resource_from_dict`, as an event from another instance is).

    async with open_store(settings) as store:
        sample, entries = own_sample(store.catalog, 500)
        report = await load_entries(store, entries, reference=sample)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from graph import CatalogStore, Resource
from graph.errors import CatalogError
from graph.model import Catalog
from graph.queries import ApplyOutcome
from graph.rules import check_resource
from graph.sample import SampleCatalog, generate_catalog
from sync.errors import SyncError
from sync.events import outbox_record
from sync.snapshots import resource_from_dict

__all__ = [
    "BATCH",
    "MAX_ENTRIES",
    "LoadRefused",
    "LoadReport",
    "load_entries",
    "own_sample",
    "read_entries",
]

MAX_ENTRIES = 100_000
BATCH = 500  # entries per transaction


class LoadRefused(ValueError):
    """The source cannot be loaded; nothing was written. The message names the line or the
    bound and what would be accepted."""


@dataclass(frozen=True, slots=True)
class LoadReport:
    written: int  # applied: new, or newer than held
    skipped: int  # held at that version or newer already


def own_sample(
    catalog: Catalog, entries: int, seed: int = 1
) -> tuple[SampleCatalog, list[Resource]]:
    """The sample catalog, and about `entries` of its entries whose origin is `catalog`."""
    if not 1 <= entries <= MAX_ENTRIES:
        raise LoadRefused(f"--sample {entries}: give 1 to {MAX_ENTRIES} entries")
    probe = generate_catalog(max(entries, 1000), seed)
    if catalog.id not in {c.id for c in probe.catalogs}:
        raise LoadRefused(f"the sample catalog has no catalog {catalog.id!r}")
    held = probe.count(catalog.id)
    sample = generate_catalog(max(entries, round(entries * probe.size / max(held, 1))), seed)
    return sample, list(sample.resources_for(catalog.id))[:entries]


def read_entries(path: Path, max_bytes: int = 512 * 2**20) -> list[Resource]:
    """The entries of a JSON Lines file (one `graph.snapshot` entry a line; blank lines
    skipped), checked to be well formed; `LoadRefused` naming the first bad line."""
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadRefused(f"{path} is {size:,} bytes; at most {max_bytes:,} are loaded")
    entries: list[Resource] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            if len(entries) >= MAX_ENTRIES:
                raise LoadRefused(f"{path}: more than {MAX_ENTRIES:,} entries; split the file")
            try:
                entries.append(resource_from_dict(json.loads(line)))
            except (ValueError, TypeError, KeyError, SyncError, RecursionError) as exc:
                raise LoadRefused(
                    f"{path}, line {number}: not an entry as graph.snapshot writes one ({exc})"
                ) from None
    return entries


def _checked(catalog: Catalog, entries: Sequence[Resource], where: str) -> list[Resource]:
    out = []
    for number, entry in enumerate(entries, start=1):
        if entry.origin != catalog.id:
            raise LoadRefused(
                f"{where} entry {number} ({entry.code}): its origin is {entry.origin}, not "
                f"{catalog.id}; only this instance's own entries are loaded (a copy is what a "
                "link brings)"
            )
        try:
            out.append(check_resource(entry, catalog.zone))
        except CatalogError as exc:
            raise LoadRefused(f"{where} entry {number} ({entry.code}): {exc}") from None
    return out


async def load_entries(
    store: CatalogStore,
    entries: Sequence[Resource],
    *,
    where: str = "the source's",
    reference: SampleCatalog | None = None,
) -> LoadReport:
    """Check every one of `entries` (rule 2), then write them `BATCH` at a time, each with its
    change event (rule 1); the sample's reference data first when `reference` is given."""
    if len(entries) > MAX_ENTRIES:
        raise LoadRefused(f"{len(entries):,} entries; at most {MAX_ENTRIES:,} are loaded at once")
    checked = _checked(store.catalog, entries, where)
    if reference is not None:
        zone = store.catalog.zone
        await store.put_regions(reference.regions)
        await store.put_catalogs([c for c in reference.catalogs if c.zone is zone])
        await store.put_departments(reference.departments)
        await store.put_categories(reference.categories)
    written = 0
    for start in range(0, len(checked), BATCH):
        batch = checked[start : start + BATCH]
        outcomes = await store.apply(batch, outbox=[outbox_record(e) for e in batch])
        written += sum(o is ApplyOutcome.APPLIED for o in outcomes)
    return LoadReport(written, len(checked) - written)
