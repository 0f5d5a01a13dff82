"""Lineage in the schema: what an entry is derived from (upstream) and what derives from it.

The store's walk is shown only as far as the caller may follow it: a node is an entry held
here that the caller may see (`federation.api.references`), an edge joins two such nodes, and
a node reached only through a hidden or absent one is left out with it. So the answer names
no code that is not held here — a source of another level, or one reclassified 涉密 and
redacted since — and no entry hidden from the caller. The lineage of an entry not held here,
or hidden from the caller, is not found: the same answer either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import strawberry

from federation.api.identity import Viewer
from federation.api.references import visible
from federation.api.types import Resource
from graph import queries
from graph.errors import NotFound

__all__ = ["Lineage", "LineageEdge", "LineageNode"]


@strawberry.type(description="An entry reached by the walk: held here, visible to the caller.")
class LineageNode:
    code: str
    resource: Resource


@strawberry.type(description="`derived` is DERIVED_FROM `source`.")
class LineageEdge:
    derived: str
    source: str


@strawberry.type(description="The entries reachable from `root` within the depth, each once.")
class Lineage:
    root: str
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(
        description="True when the walk stopped at the depth bound with edges left to follow."
    )

    @classmethod
    def of(cls, lineage: queries.Lineage, viewer: Viewer) -> Lineage:
        """The walk as `viewer` may see it; `NotFound` when its root is not held here or is
        hidden from `viewer`."""
        shown = {e.code: e for e in visible(sorted(lineage.nodes), lineage.nodes, viewer)}
        if lineage.root not in shown:
            raise NotFound("resource", lineage.root)
        edges = [e for e in lineage.edges if e.derived in shown and e.source in shown]
        reached = _reachable(lineage.root, edges)
        return cls(
            root=lineage.root,
            nodes=[
                LineageNode(code=code, resource=Resource.of(entry))
                for code, entry in sorted(shown.items())
                if code in reached
            ],
            edges=[
                LineageEdge(derived=e.derived, source=e.source)
                for e in edges
                if e.derived in reached and e.source in reached
            ],
            truncated=lineage.truncated,
        )


def _reachable(root: str, edges: Iterable[queries.LineageEdge]) -> set[str]:
    """The codes reached from `root` upstream (derived → source) or downstream (source →
    derived) along `edges`, as the store walks: never up and then down, or down then up."""
    up: dict[str, list[str]] = defaultdict(list)
    down: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        up[edge.derived].append(edge.source)
        down[edge.source].append(edge.derived)
    reached = {root}
    for step in (up, down):
        seen, frontier = {root}, [root]
        while frontier:
            frontier = [n for code in frontier for n in step[code] if n not in seen]
            seen.update(frontier)
        reached |= seen
    return reached
