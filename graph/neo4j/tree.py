"""The catalog tree (municipal → provincial → national) with entry counts (`graph.tree`).

Every count the tree needs of a filter by state alone — what every caller but an anonymous one
of the extranet may list — is a degree, which Neo4j keeps per node and relationship type: a
catalog lists each of its entries once (``LISTED_IN``, whatever the state), and each entry in a
state but PUBLISHED once more, by a relationship named after its state (``DRAFT_IN``,
``SUBMITTED_IN``, ``RETIRED_IN``: `graph.neo4j.cypher.tree`). A catalog's entries in a state
but PUBLISHED are then the degree of its type, and its published ones — the bulk of every
catalog — ``LISTED_IN`` less every other state's: read in one statement whose time grows with
the catalogs, not the entries. A filter on anything else counts the entries it selects
directly, by the condition `find` uses. `graph.tree.fold_tree` then keeps the instance's zone
and adds up the subtrees.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from neo4j import AsyncManagedTransaction

from graph.enums import LifecycleState, Zone
from graph.neo4j.cypher import all_of, fill
from graph.neo4j.cypher.finding import ALL_RESOURCES, RESOURCES_ABOUT
from graph.neo4j.cypher.tree import CATALOGS_LISTING, COUNT_SELECTED, LINKED_STATES
from graph.neo4j.filters import condition
from graph.neo4j.statements import run
from graph.queries import CatalogCount, ResourceFilter
from graph.tree import CatalogRow, fold_tree

__all__ = ["count_by_states", "counter_by_states", "tree"]

_BY_STATE_ONLY = ResourceFilter(states=frozenset())
_LINKED = tuple(map(LifecycleState, LINKED_STATES))
_ZONES = {zone.value: zone for zone in Zone}


def count_by_states(
    listed: int, linked: Mapping[LifecycleState, int], states: frozenset[LifecycleState]
) -> int:
    """How many of a catalog's entries are in `states` (none: every state), from how many it
    lists and how many are in each state but PUBLISHED (`linked`)."""
    chosen = states or frozenset(LifecycleState)
    if LifecycleState.PUBLISHED in chosen:
        return listed - sum(n for state, n in linked.items() if state not in chosen)
    return sum(n for state, n in linked.items() if state in chosen)


def counter_by_states(states: frozenset[LifecycleState]) -> Callable[[int, Sequence[int]], int]:
    """`count_by_states` for `states`, decided once for every catalog of a tree: a catalog's
    count from how many it lists and its degrees in the order of `LINKED_STATES`."""
    chosen = states or frozenset(LifecycleState)
    published = LifecycleState.PUBLISHED in chosen
    # With PUBLISHED chosen, the linked states not chosen are taken from all the catalog
    # lists; without it, the linked states chosen are added up.
    picked = [i for i, state in enumerate(_LINKED) if (state in chosen) != published]
    if published:
        return lambda listed, degrees: listed - sum(degrees[i] for i in picked)
    return lambda listed, degrees: sum(degrees[i] for i in picked)


async def tree(
    tx: AsyncManagedTransaction, zone: Zone, where: ResourceFilter
) -> list[CatalogCount]:
    """The catalogs of `zone`, national first, with their own and their subtree's counts of
    the entries `where` selects."""
    ((catalogs,),) = await run(tx, CATALOGS_LISTING)
    if dataclasses.replace(where, states=frozenset()) == _BY_STATE_ONLY:
        count = counter_by_states(where.states)
        own = {c["id"]: count(c["listed"], c["linked"]) for c in catalogs}
    else:
        source = RESOURCES_ABOUT if where.theme is not None else ALL_RESOURCES
        parts, params = condition(where, theme_matched=source is RESOURCES_ABOUT)
        selected = fill(source, where=all_of(parts))
        ((counts,),) = await run(tx, fill(COUNT_SELECTED, selected=selected), params)
        own = {c["id"]: int(c["n"]) for c in counts if c["id"] is not None}
    rows = [
        CatalogRow(
            c["id"], c["name"], c["region_code"], _ZONES[c["zone"]], c["parent_id"], c["listed"] > 0
        )
        for c in catalogs
    ]
    return fold_tree(zone, rows, own)
