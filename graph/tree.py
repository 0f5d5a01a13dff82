"""The catalog tree as an instance shows it: its own zone's catalogs, with counts.

Both stores read the same two things — every catalog they know (`CatalogRow`) and how many of
the entries a filter selects each catalog lists (by the entry's origin) — and `fold_tree`
makes the tree of them, so the rule lives in one place:

- The tree holds the catalogs of the instance's zone only. A copy mirrored from the other zone
  (an extranet holds copies of intranet entries) is counted under the catalog of the
  instance's zone at the same level and region — ``510100/intranet`` → ``510100/extranet`` —
  never under a placeholder named after a catalog of the other zone.
- When the store does not know that catalog, it is shown by its id, under the nearest
  catalog of the zone up the regions (510104 → 510100 → 510000 → national) that it knows —
  as soon as the other zone's catalog lists an entry, in any state, so that the tree has the
  same catalogs whoever asks.
- A catalog's total is its own count and that of every catalog below it (``parent_id``),
  each once even if the parents form a (mistaken) cycle.

    rows = [CatalogRow("510100/extranet", "成都市…（外网）", "510100", Zone.EXTRANET, None)]
    fold_tree(Zone.EXTRANET, rows, {"510100/intranet": 3})  # 510100/extranet: 3, 3
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.codes import region_level, region_parent
from graph.enums import Level, Zone
from graph.model import catalog_id, parse_catalog_id
from graph.queries import CatalogCount

__all__ = ["CatalogRow", "fold_tree"]


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """A catalog as a store lists it for the tree; `listing`: whether it lists any entry, in
    any state (whatever the filter, so the tree has one shape for every caller)."""

    id: str
    name: str
    region_code: str
    zone: Zone
    parent_id: str | None
    listing: bool = True


def fold_tree(
    zone: Zone, catalogs: Iterable[CatalogRow], own: Mapping[str, int]
) -> list[CatalogCount]:
    """The tree of `zone`'s catalogs, national first, from `own` — the count of selected
    entries by the catalog id each names as its origin."""
    catalogs = list(catalogs)
    rows = {row.id: row for row in catalogs if row.zone is zone}
    listing = {row.id for row in catalogs if row.listing} | {o for o, n in own.items() if n}
    unknown = {_in_zone(origin, zone) for origin in listing} - set(rows)
    for shown in unknown:  # each under the nearest catalog above it, known or made here
        region, _ = parse_catalog_id(shown)
        rows[shown] = CatalogRow(shown, shown, region, zone, None)
    for shown in unknown:
        parent = _nearest_above(rows[shown].region_code, zone, rows)
        rows[shown] = dataclasses.replace(rows[shown], parent_id=parent)
    counts: dict[str, int] = dict.fromkeys(rows, 0)
    for origin, n in own.items():
        if n:
            counts[_in_zone(origin, zone)] += n
    children: dict[str, list[str]] = {}
    for row in rows.values():
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row.id)
    order = {level: i for i, level in enumerate(Level)}
    tree = [
        CatalogCount(
            id=row.id,
            name=row.name,
            level=region_level(row.region_code),
            region_code=row.region_code,
            parent_id=row.parent_id,
            own_count=counts[row.id],
            total_count=sum(counts[i] for i in _subtree(row.id, children)),
        )
        for row in rows.values()
    ]
    return sorted(tree, key=lambda c: (order[c.level], c.id))


def _in_zone(origin: str, zone: Zone) -> str:
    """The catalog of `zone` that lists the entries of catalog `origin`: its own region's."""
    region, _ = parse_catalog_id(origin)
    return catalog_id(region, zone)


def _nearest_above(region: str, zone: Zone, rows: Mapping[str, CatalogRow]) -> str | None:
    """The catalog of `zone` in `rows` nearest above `region`, if any."""
    above = region_parent(region)
    while above is not None:
        candidate = catalog_id(above, zone)
        if candidate in rows:
            return candidate
        above = region_parent(above)
    return None


def _subtree(root: str, children: Mapping[str, list[str]]) -> set[str]:
    seen = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
