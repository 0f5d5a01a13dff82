"""Lineage: the entries an entry is derived from (upstream) or that are derived from it
(downstream), to a bounded depth, each once.

One statement per walk (BOTH walks up and down in the same one, a single round trip). Each
direction: the nodes within ``depth - 1`` hops (a pruning variable-length expand, DISTINCT, so
cycles and diamonds cost nothing extra) are expanded by one more hop; the nodes first reached
by that hop are at the bound, and the walk is truncated when one of them has an edge of its own
in the walked direction. BOTH is the union of the two walks.

A ``DERIVED_FROM`` to a code not held here ends at a placeholder node (see
`graph.neo4j.cypher`): the walk neither starts from nor reaches one, so a code that is not held
(another level's, or one redacted since) is never a node, the end of an edge, or a reason for
`truncated`.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph.codes import check_resource_code
from graph.model import Resource
from graph.neo4j.cypher import fill
from graph.neo4j.cypher.lineage import LINEAGE_BOTH, LINEAGE_DOWNSTREAM, LINEAGE_UPSTREAM
from graph.queries import Direction, Lineage, LineageEdge, check_depth
from graph.snapshot import resource_from_json

__all__ = ["lineage"]

_WALKS = {
    Direction.UPSTREAM: LINEAGE_UPSTREAM,
    Direction.DOWNSTREAM: LINEAGE_DOWNSTREAM,
    Direction.BOTH: LINEAGE_BOTH,
}


def walk_query(template: str, depth: int) -> str:
    """`template` bounded at `depth` hops: the bound is written into the pattern, which takes no
    parameter there, and only ever from a checked whole number."""
    hops = check_depth(depth) - 1
    return fill(template, hops=str(int(hops)))


async def lineage(
    tx: AsyncManagedTransaction, code: str, direction: Direction, depth: int
) -> Lineage:
    code = check_resource_code(code)
    depth = check_depth(depth)
    nodes: dict[str, Resource | None] = {code: None}
    edges: set[LineageEdge] = set()
    truncated = False
    result = await tx.run(walk_query(_WALKS[Direction(direction)], depth), code=code)
    record = await result.single()
    if record is not None:  # None: no node with this code, nothing derived from or into it
        for reached, snapshot in record["nodes"]:
            nodes[reached] = resource_from_json(snapshot)  # a cycle's node may come twice
        edges.update(LineageEdge(e["derived"], e["source"]) for e in record["edges"])
        truncated = bool(record["truncated"])
    return Lineage(
        root=code,
        nodes={c: nodes[c] for c in sorted(nodes)},
        edges=tuple(sorted(edges, key=lambda e: (e.derived, e.source))),
        truncated=truncated,
    )
