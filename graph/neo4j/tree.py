"""The catalog tree (municipal → provincial → national) with entry counts (`graph.tree`).

A catalog lists each of its entries once (``LISTED_IN``, whatever the state), so its degree,
which Neo4j keeps, counts them all without reading one. When the filter selects by state
alone — what every caller but an anonymous one of the extranet may list — and takes in the
published entries, the bulk of every catalog, the entries in the other states are counted (by
the index on ``(state, catalog_id)``) and taken from the degree; otherwise the entries the
filter selects are counted directly, by the same condition `find` uses. `graph.tree.fold_tree`
then keeps the instance's zone and adds up the subtrees.
"""

from __future__ import annotations

import dataclasses

from neo4j import AsyncManagedTransaction

from graph.enums import LifecycleState, Zone
from graph.neo4j.cypher import all_of, fill
from graph.neo4j.cypher.finding import ALL_RESOURCES, RESOURCES_ABOUT
from graph.neo4j.cypher.tree import CATALOGS_LISTING, COUNT_SELECTED, TREE_BY_STATES
from graph.neo4j.filters import condition
from graph.neo4j.statements import run
from graph.queries import CatalogCount, ResourceFilter
from graph.tree import CatalogRow, fold_tree

__all__ = ["tree"]

_BY_STATE_ONLY = ResourceFilter(states=frozenset())


async def tree(
    tx: AsyncManagedTransaction, zone: Zone, where: ResourceFilter
) -> list[CatalogCount]:
    """The catalogs of `zone`, national first, with their own and their subtree's counts of
    the entries `where` selects."""
    if dataclasses.replace(where, states=frozenset()) == _BY_STATE_ONLY:
        chosen = set(where.states or LifecycleState)
        # Count whichever side holds fewer entries: not the published ones.
        subtract = LifecycleState.PUBLISHED in chosen
        counted = set(LifecycleState) - chosen if subtract else chosen
        (record,) = await run(tx, TREE_BY_STATES, states=sorted(s.value for s in counted))
        catalogs = record["catalogs"]
        found = {id_: int(n) for id_, n in record["counted"]}
        own = {
            c["id"]: int(c["listed"]) - found.get(c["id"], 0) if subtract else found.get(c["id"], 0)
            for c in catalogs
        }
    else:
        catalogs = await run(tx, CATALOGS_LISTING)
        source = RESOURCES_ABOUT if where.theme is not None else ALL_RESOURCES
        parts, params = condition(where, theme_matched=source is RESOURCES_ABOUT)
        selected = fill(source, where=all_of(parts))
        records = await run(tx, fill(COUNT_SELECTED, selected=selected), params)
        own = {r["id"]: int(r["n"]) for r in records if r["id"] is not None}
    rows = [
        CatalogRow(
            c["id"], c["name"], c["region_code"], Zone(c["zone"]), c["parent_id"], c["listed"] > 0
        )
        for c in catalogs
    ]
    return fold_tree(zone, rows, own)
