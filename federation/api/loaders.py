"""DataLoaders over the store's batch reads: one store call per kind per request level.

Nested fields (a resource's provider, categories, related entries; a catalog's parents) load
through these, so listing a hundred entries with their providers costs one `departments` call,
not a hundred. Loaders live for one request: their caches never outlive it. Departments,
categories and catalogs come through the instance's `ReferenceCache` when it has one (kept a
few seconds across requests), else through one made for the request.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import InitVar, dataclass, field

from strawberry.dataloader import DataLoader

from federation.api.reference import ReferenceCache
from graph import Catalog, CatalogStore, Category, Department, Resource
from graph.queries import CatalogCount, Facets, ResourceFilter
from graph.sharing import DataUpdate, Objection

__all__ = ["Loaders"]

# The open objections an entry shows (oldest first): as many as `Sharing.open_objections`.
_OPEN_OBJECTIONS = 20


@dataclass
class Loaders:
    """The loaders of one request over `store`."""

    store: CatalogStore
    shared: InitVar[ReferenceCache | None] = None
    listing: ResourceFilter = field(default_factory=ResourceFilter)  # what the caller may list
    reference: ReferenceCache = field(init=False)
    resources: DataLoader[str, Resource | None] = field(init=False)
    departments: DataLoader[str, Department | None] = field(init=False)
    categories: DataLoader[str, Category | None] = field(init=False)
    open_objections: DataLoader[str, list[Objection]] = field(init=False)
    data_updates: DataLoader[str, DataUpdate | None] = field(init=False)
    _tree: asyncio.Task[list[CatalogCount]] | None = field(default=None, init=False)
    _counts: dict[ResourceFilter, asyncio.Task[Facets]] = field(default_factory=dict, init=False)

    def __post_init__(self, shared: ReferenceCache | None) -> None:
        if shared is not None and shared.store is self.store:
            self.reference = shared
        else:  # read once for this request, as often as it asks
            self.reference = ReferenceCache(self.store, ttl_seconds=math.inf)
        self.resources = DataLoader(load_fn=self._load_resources)
        self.departments = DataLoader(load_fn=self._load_departments)
        self.categories = DataLoader(load_fn=self._load_categories)
        self.open_objections = DataLoader(load_fn=self._load_open_objections)
        self.data_updates = DataLoader(load_fn=self._load_data_updates)

    async def _load_resources(self, codes: Sequence[str]) -> list[Resource | None]:
        found = await self.store.get_many(list(codes))
        return [found.get(code) for code in codes]

    async def _load_departments(self, codes: Sequence[str]) -> list[Department | None]:
        found = await self.reference.departments(codes)
        return [found.get(code) for code in codes]

    async def _load_categories(self, codes: Sequence[str]) -> list[Category | None]:
        found = await self.reference.categories(codes)
        return [found.get(code) for code in codes]

    async def _load_open_objections(self, codes: Sequence[str]) -> list[list[Objection]]:
        found = await self.store.open_objections(list(codes), _OPEN_OBJECTIONS)
        return [found.get(code, []) for code in codes]

    async def _load_data_updates(self, codes: Sequence[str]) -> list[DataUpdate | None]:
        found = await self.store.last_data_updates(list(codes))
        return [found.get(code) for code in codes]

    async def catalogs(self) -> dict[str, Catalog]:
        """Every catalog of the instance's zone the store knows, by id: a handful, read at most
        once per request (the other zone's are not shown: `graph.tree`)."""
        zone = self.store.catalog.zone
        return {i: c for i, c in (await self.reference.catalogs()).items() if c.zone is zone}

    async def tree(self) -> list[CatalogCount]:
        """The catalog tree counting the published entries the caller may list, read once per
        request."""
        if self._tree is None:
            self._tree = asyncio.ensure_future(self.store.tree(self.listing))
        return await asyncio.shield(self._tree)

    async def counts(self, where: ResourceFilter) -> Facets:
        """The entries `where` selects, counted by provider, theme and share type; each filter
        is counted once per request however many fields ask."""
        if where not in self._counts:
            self._counts[where] = asyncio.ensure_future(self.store.facets(where))
        return await asyncio.shield(self._counts[where])

    def prime(self, entries: Sequence[Resource]) -> None:
        """Entries read by a listing need not be read again by a nested field."""
        self.resources.prime_many({e.code: e for e in entries})
