"""`CatalogStore`: the one protocol both stores implement (Neo4j, embedded SQLite).

A store holds the catalog of one instance: its own entries and the copies aggregated or
mirrored into it. Every write is checked by `graph.rules.check_resource` for the store's zone
before anything is written, and is all-or-nothing. Reads that take many keys exist so the API
can batch (one call per GraphQL request level, never one per object).

    async with EmbeddedStore.open(path, catalog) as store:
        await store.save(entry, expected_version=None)
        page = await store.find(ResourceFilter(), search="人口", first=20)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from graph.model import Catalog, Category, Department, Region, Resource
from graph.outbox import OutboxRecord
from graph.queries import (
    ApplyOutcome,
    CatalogCount,
    Direction,
    Facets,
    Lineage,
    ResourceFilter,
    ResourcePage,
)

__all__ = ["CatalogStore"]


class CatalogStore(Protocol):
    """The catalog of one instance. Open it with ``async with``; closing twice is harmless."""

    @property
    def catalog(self) -> Catalog:
        """This instance's own catalog (level, region, zone)."""
        ...

    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless the database answers."""

    # -- reference data: idempotent, keyed by natural keys --------------------------------
    async def put_regions(self, regions: Sequence[Region]) -> None: ...
    async def put_catalogs(self, catalogs: Sequence[Catalog]) -> None: ...
    async def put_departments(self, departments: Sequence[Department]) -> None: ...
    async def put_categories(self, categories: Sequence[Category]) -> None: ...

    # -- entries ---------------------------------------------------------------------------
    async def save(
        self, entry: Resource, expected_version: int | None, outbox: OutboxRecord | None = None
    ) -> Resource:
        """Write `entry` if the stored version is `expected_version` (None: no entry yet);
        otherwise raise `VersionConflict`; refuse (`InvalidValue`, field ``code``) a code held
        here from another origin. `outbox`, when given, is committed in the same
        transaction, or not at all. Return the entry as stored."""

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[OutboxRecord | None] | None = None,
    ) -> list[ApplyOutcome]:
        """Write each snapshot whose version is newer than what is held (or redacted); older or
        equal ones change nothing (STALE), nor does one whose code is held from another origin
        (CONFLICT: one resource, one origin). `outbox[i]` is written only when entry i is
        APPLIED (a stale copy is not sent on). One transaction for the batch; outcomes in
        order."""

    async def redact(
        self, code: str, version: int, outbox: OutboxRecord | None = None
    ) -> ApplyOutcome:
        """Remove the copy of `code` if `version` is newer than what is held, leaving a
        tombstone so that an older snapshot delivered later does not bring it back; `outbox`
        is written only when the redaction is APPLIED."""

    # -- the outbox (graph.outbox): read by the relays ------------------------------------
    async def outbox_after(self, position: int, limit: int) -> list[tuple[int, OutboxRecord]]:
        """At most `limit` records numbered above `position`, in order of their numbers
        (which only grow, starting at 1)."""

    async def outbox_urgent_after(
        self, position: int, limit: int
    ) -> list[tuple[int, OutboxRecord]]:
        """The urgent records (`OutboxRecord.urgent`) after `position`, oldest first, at most
        `limit`: the lane relays send ahead of the backlog; each is in `outbox_after` too."""
        ...

    async def outbox_position(self, consumer: str) -> int:
        """The position `consumer` last set; 0 when it never did."""

    async def set_outbox_position(
        self,
        consumer: str,
        position: int,
        *,
        mark: Sequence[str] = (),
        unmark: Sequence[str] = (),
    ) -> None:
        """In one transaction: set `consumer`'s position and add `mark` to (then remove
        `unmark` from) its set of marked keys — a relay's record of what it may have sent."""

    async def outbox_marks(self, consumer: str, keys: Sequence[str]) -> set[str]:
        """Those of `keys` that `consumer` has marked."""

    async def prune_outbox(self, below: int) -> int:
        """Delete the records numbered below `below` (every consumer is past them); return
        how many went."""

    async def allocate_code(self, category: str) -> str:
        """A new code under 前段码 `category`: the next 后段码 of that category in this
        instance's zone's range (`graph.codes.SEQUENCE_RANGES`), past every code of the range
        allocated, held or redacted here. Atomic: no two calls ever get the same code, however
        concurrent; a code allocated and never saved is not handed out again."""

    async def get(self, code: str) -> Resource | None: ...

    async def get_many(self, codes: Sequence[str]) -> dict[str, Resource]:
        """The entries held among `codes`, by code, in one round trip."""

    async def origins(self, codes: Sequence[str]) -> dict[str, str]:
        """The origin (catalog id) of each entry held among `codes`, in one round trip,
        without reading the entries: what sync checks one resource, one origin (一数一源) by."""

    async def find(
        self,
        where: ResourceFilter,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResourcePage:
        """A page of the entries `where` selects, optionally matching every token of `search`."""

    async def facets(self, where: ResourceFilter, search: str | None = None) -> Facets: ...

    async def tree(self, where: ResourceFilter | None = None) -> list[CatalogCount]:
        """The catalogs of this instance's zone, each with how many of the entries `where`
        selects it lists itself and with every catalog below it (`graph.tree`: a copy from
        the other zone counts under this zone's catalog of its region). The API passes what
        the caller may list; None: the published entries."""

    async def catalogs(self, ids: Sequence[str] | None = None) -> list[Catalog]: ...

    async def lineage(self, code: str, direction: Direction, depth: int) -> Lineage: ...

    async def departments(self, codes: Sequence[str] | None = None) -> list[Department]:
        """The departments with these codes (all when None), ordered by code."""

    async def categories(self, codes: Sequence[str]) -> list[Category]: ...

    async def regions(self, codes: Sequence[str] | None = None) -> list[Region]: ...
