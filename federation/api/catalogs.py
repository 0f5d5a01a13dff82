"""目录 in the schema: the catalogs an instance knows, as a tree by level and region.

A node's counts and children are plain attributes, filled from the request's one read of the
tree (`CatalogStore.tree`) when the node is made: resolving them node by node would cost a
coroutine per field of each of the tree's catalogs. A node reached from an entry (its catalog
path) is made from the instance's catalogs instead, unless the query asks it for counts or
children.

An instance shows the catalogs of its own zone only (`graph.tree`): a copy mirrored from the
other zone is listed, counted and placed under this zone's catalog of the same region, and the
counts are of the entries the caller may list (`Viewer.restrict`, passed to `CatalogStore.tree`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, Selection

from federation.api.context import Info
from federation.api.fields import field
from graph import Catalog, Level, Zone, catalog_id
from graph.model import parse_catalog_id
from graph.queries import CatalogCount

__all__ = ["CatalogNode", "catalog_nodes", "catalog_path", "catalog_tree", "linked"]

# The fields of a node that only the tree answers.
_FROM_TREE = frozenset({"ownCount", "totalCount", "children"})


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
    own_count: int = strawberry.field(
        description="Published entries listed in this catalog itself that the caller may list."
    )
    total_count: int = strawberry.field(
        description="Published entries of this catalog and every catalog below that the caller "
        "may list."
    )

    @field("The catalog this one reports upward to, when known here.")
    async def parent(self, info: Info) -> CatalogNode | None:
        if self.parent_id is None:
            return None
        found = await catalog_nodes(info, [self.parent_id])
        return found[0] if found else None

    children: list[CatalogNode] = strawberry.field(
        default_factory=list, description="The catalogs that report upward to this one."
    )

    @classmethod
    def of(cls, catalog: Catalog | CatalogCount) -> CatalogNode:
        """A node without children; counted when `catalog` is a row of the tree."""
        if isinstance(catalog, Catalog):
            zone = catalog.zone
            own = total = 0
        else:  # a tree row carries no zone; the catalog id ends with it (510100/intranet)
            zone = Zone(catalog.id.rsplit("/", 1)[-1].upper())
            own, total = catalog.own_count, catalog.total_count
        return cls(
            id=strawberry.ID(catalog.id),
            name=catalog.name,
            level=catalog.level,
            region_code=catalog.region_code,
            zone=zone,
            parent_id=catalog.parent_id,
            own_count=own,
            total_count=total,
        )


def linked(rows: Iterable[CatalogCount]) -> dict[str, CatalogNode]:
    """Every row of the tree as a node, by id, each with its children (in row order)."""
    nodes = {row.id: CatalogNode.of(row) for row in rows}
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        if parent is not None:
            parent.children.append(node)
    return nodes


async def catalog_tree(
    info: Info, level: Level | None = None, region_code: str | None = None
) -> list[CatalogNode]:
    """The roots of the tree, or with a level or region, every catalog matching them."""
    nodes = linked(await info.context.loaders.tree())
    if level is None and region_code is None:
        return [n for n in nodes.values() if n.parent_id not in nodes]
    return [
        n
        for n in nodes.values()
        if (level is None or n.level is level)
        and (region_code is None or _within(n.region_code, region_code))
    ]


def _within(code: str, region_code: str) -> bool:
    """Whether region `code` is `region_code` or lies under it (GB/T 2260 prefixes)."""
    if region_code == "100000":
        return True
    prefix = region_code.rstrip("0")
    prefix = prefix + "0" * (len(prefix) % 2)  # keep whole two-digit levels: 510100 → 5101
    return code.startswith(prefix)


async def catalog_nodes(info: Info, ids: Sequence[str]) -> list[CatalogNode]:
    """The nodes of the catalogs `ids` known here, in that order; from the tree when the
    selection of the field being resolved asks for counts or children."""
    known = await info.context.loaders.catalogs()
    zone = info.context.store.catalog.zone
    ids = [i for i in dict.fromkeys(_in_zone(i, zone) for i in ids) if i in known]
    if not ids:
        return []
    if _asks(info.selected_fields, _FROM_TREE):
        tree = linked(await info.context.loaders.tree())
        return [tree.get(i) or CatalogNode.of(known[i]) for i in ids]
    return [CatalogNode.of(known[i]) for i in ids]


async def catalog_path(info: Info, catalog_id: str) -> list[CatalogNode]:
    """From `catalog_id` upward (municipal → provincial → national), as far as known here."""
    known = await info.context.loaders.catalogs()
    path: list[str] = []
    at: str | None = _in_zone(catalog_id, info.context.store.catalog.zone)
    while at is not None and at in known and at not in path:
        path.append(at)
        at = known[at].parent_id
    return await catalog_nodes(info, path)


def _in_zone(id_: str, zone: Zone) -> str:
    """The catalog of `zone` that shows the entries of catalog `id_`: itself, or for a catalog
    of the other zone, `zone`'s catalog of the same region."""
    region, _ = parse_catalog_id(id_)
    return catalog_id(region, zone)


def _asks(selections: Sequence[Selection], names: frozenset[str]) -> bool:
    """Whether the field's selection (fragments included) names any of `names`."""
    for selection in selections:
        for inner in selection.selections:
            if isinstance(inner, FragmentSpread | InlineFragment):
                if _asks([inner], names):
                    return True
            elif inner.name in names:
                return True
    return False
