"""The catalog tree (municipal → provincial → national) with entry counts, by recursive CTE."""

from __future__ import annotations

import sqlite3

from graph.codes import region_level
from graph.enums import Level, LifecycleState
from graph.queries import CatalogCount

__all__ = ["tree"]

# Every (ancestor, catalog) pair of the PART_OF closure, a catalog being its own ancestor;
# UNION keeps a (mistaken) cycle of parents finite.
_TREE = (
    "WITH RECURSIVE below (ancestor, id) AS ("
    " SELECT id, id FROM catalogs"
    " UNION"
    " SELECT b.ancestor, c.id FROM below b JOIN catalogs c ON c.parent_id = b.id"
    "), own (id, n) AS ("
    " SELECT catalog_id, count(*) FROM resources WHERE state IN ({states}) GROUP BY catalog_id"
    ")"
    " SELECT c.id, c.name, c.region_code, c.parent_id,"
    "  coalesce((SELECT n FROM own WHERE own.id = c.id), 0),"
    "  (SELECT coalesce(sum(own.n), 0) FROM below b JOIN own ON own.id = b.id"
    "   WHERE b.ancestor = c.id)"
    " FROM catalogs c ORDER BY c.id"
)


def tree(sqlite: sqlite3.Connection, states: frozenset[LifecycleState]) -> list[CatalogCount]:
    """Every catalog, national first, with its own and its subtree's counts of entries in
    `states` (every state when empty)."""
    chosen = sorted(s.value for s in (states or frozenset(LifecycleState)))
    sql = _TREE.format(states=", ".join("?" * len(chosen)))
    counts = [
        CatalogCount(
            id=str(id_),
            name=str(name),
            level=region_level(str(region)),
            region_code=str(region),
            parent_id=parent,
            own_count=int(own),
            total_count=int(total),
        )
        for id_, name, region, parent, own, total in sqlite.execute(sql, chosen)
    ]
    order = list(Level)
    return sorted(counts, key=lambda c: (order.index(c.level), c.id))
