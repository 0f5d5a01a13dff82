"""The catalog tree (municipal → provincial → national) with entry counts.

Counts per catalog come from the index on ``(state, catalog_id)``; a catalog's subtree is what
reaches it by ``PART_OF*``, each catalog once even if the parents form a (mistaken) cycle.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph.codes import region_level
from graph.enums import Level, LifecycleState
from graph.neo4j import cypher
from graph.queries import CatalogCount

__all__ = ["tree"]


async def tree(
    tx: AsyncManagedTransaction, states: frozenset[LifecycleState]
) -> list[CatalogCount]:
    """Every catalog, national first, with its own and its subtree's counts of entries in
    `states` (every state when empty)."""
    chosen = sorted(s.value for s in (states or frozenset(LifecycleState)))
    result = await tx.run(cypher.COUNT_BY_CATALOG, states=chosen)
    own = {record["id"]: int(record["count"]) async for record in result}
    result = await tx.run(cypher.CATALOG_TREE)
    counts = [
        CatalogCount(
            id=record["id"],
            name=record["name"],
            level=region_level(record["region_code"]),
            region_code=record["region_code"],
            parent_id=record["parent_id"],
            own_count=own.get(record["id"], 0),
            total_count=own.get(record["id"], 0)
            + sum(own.get(below, 0) for below in record["below"] if below != record["id"]),
        )
        async for record in result
    ]
    order = list(Level)
    return sorted(counts, key=lambda c: (order.index(c.level), c.id))
