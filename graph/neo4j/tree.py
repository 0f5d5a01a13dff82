"""The catalog tree (municipal → provincial → national) with entry counts.

A catalog lists each of its entries once (``LISTED_IN``, whatever the state), so its degree,
which Neo4j keeps, counts them all without reading one. Published entries are the bulk of
every catalog: when `states` takes them in, the entries in the other states are counted (by the
index on ``(state, catalog_id)``) and taken from the degree; otherwise those in `states` are
counted directly. A catalog's subtree is what reaches it by ``PART_OF*``, each catalog once even
if the parents form a (mistaken) cycle.
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
    chosen = set(states or LifecycleState)
    # Count whichever side holds fewer entries: not the published ones.
    subtract = LifecycleState.PUBLISHED in chosen
    counted = set(LifecycleState) - chosen if subtract else chosen
    result = await tx.run(cypher.CATALOG_TREE, states=sorted(s.value for s in counted))
    record = await result.single(strict=True)
    found = {id_: int(n) for id_, n in record["counted"]}
    catalogs = record["catalogs"]
    own = {
        c["id"]: c["listed"] - found.get(c["id"], 0) if subtract else found.get(c["id"], 0)
        for c in catalogs
    }
    counts = [
        CatalogCount(
            id=catalog["id"],
            name=catalog["name"],
            level=region_level(catalog["region_code"]),
            region_code=catalog["region_code"],
            parent_id=catalog["parent_id"],
            own_count=own.get(catalog["id"], 0),
            total_count=own.get(catalog["id"], 0)
            + sum(own.get(below, 0) for below in catalog["below"] if below != catalog["id"]),
        )
        for catalog in catalogs
    ]
    order = list(Level)
    return sorted(counts, key=lambda c: (order.index(c.level), c.id))
