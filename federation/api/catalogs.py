"""目录 in the schema: the catalogs an instance knows, as a tree by level and region."""

from __future__ import annotations

import strawberry

from federation.api.context import Info
from federation.api.fields import field
from graph import Catalog, Level, Zone
from graph.queries import CatalogCount

__all__ = ["CatalogNode"]


@strawberry.type(
    name="Catalog", description="目录: the catalog of one instance (level, region, zone)."
)
class CatalogNode:
    id: strawberry.ID
    name: str
    level: Level
    region_code: str
    zone: Zone
    parent_id: str | None

    @classmethod
    def of(cls, catalog: Catalog | CatalogCount) -> CatalogNode:
        if isinstance(catalog, Catalog):
            zone = catalog.zone
        else:  # a tree row carries no zone; the catalog id ends with it (510100/intranet)
            zone = Zone(catalog.id.rsplit("/", 1)[-1].upper())
        return cls(
            id=strawberry.ID(catalog.id),
            name=catalog.name,
            level=catalog.level,
            region_code=catalog.region_code,
            zone=zone,
            parent_id=catalog.parent_id,
        )

    async def _row(self, info: Info) -> CatalogCount | None:
        return next((r for r in await info.context.loaders.tree() if r.id == self.id), None)

    @field("Published entries listed in this catalog itself.")
    async def own_count(self, info: Info) -> int:
        row = await self._row(info)
        return row.own_count if row else 0

    @field("Published entries of this catalog and every catalog below.")
    async def total_count(self, info: Info) -> int:
        row = await self._row(info)
        return row.total_count if row else 0

    @field("The catalog this one reports upward to, when known here.")
    async def parent(self, info: Info) -> CatalogNode | None:
        if self.parent_id is None:
            return None
        known = await info.context.loaders.catalogs()
        parent = known.get(self.parent_id)
        return CatalogNode.of(parent) if parent else None

    @field("The catalogs that report upward to this one.")
    async def children(self, info: Info) -> list[CatalogNode]:
        rows = await info.context.loaders.tree()
        return [CatalogNode.of(r) for r in rows if r.parent_id == self.id]


async def catalog_tree(
    info: Info, level: Level | None = None, region_code: str | None = None
) -> list[CatalogNode]:
    """The roots of the tree, or with a level or region, every catalog matching them."""
    rows = await info.context.loaders.tree()
    if level is None and region_code is None:
        ids = {r.id for r in rows}
        return [CatalogNode.of(r) for r in rows if r.parent_id not in ids]
    return [
        CatalogNode.of(r)
        for r in rows
        if (level is None or r.level is level)
        and (region_code is None or _within(r.region_code, region_code))
    ]


def _within(code: str, region_code: str) -> bool:
    """Whether region `code` is `region_code` or lies under it (GB/T 2260 prefixes)."""
    if region_code == "100000":
        return True
    prefix = region_code.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)  # keep whole two-digit levels: 510100 → 5101
    return code.startswith(prefix)


async def catalog_path(info: Info, catalog_id: str) -> list[CatalogNode]:
    """From `catalog_id` upward (municipal → provincial → national), as far as known here."""
    known = await info.context.loaders.catalogs()
    path: list[CatalogNode] = []
    seen: set[str] = set()
    at: str | None = catalog_id
    while at is not None and at in known and at not in seen:
        seen.add(at)
        path.append(CatalogNode.of(known[at]))
        at = known[at].parent_id
    return path
