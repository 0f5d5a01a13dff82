"""Lineage in the schema: what an entry is derived from (upstream) and what derives from it.

The store's walk is shown only as far as the caller may follow it: a node is an entry held
here that the caller may see (`federation.api.references`), an edge joins two such nodes, and
a node reached only through a hidden or absent one is left out with it. So the answer names
no code that is not held here — a source of another level, or one reclassified 涉密 and
redacted since — and no entry hidden from the caller. The lineage of an entry not held here,
or hidden from the caller, is not found: the same answer either way.

The same answer comes in two shapes: `nodes` and `edges`, an object per node and per edge,
and `columns`, one list per field (the i-th item of each about the i-th node, edges as
positions in that list) — for a lineage of a thousand nodes, a few lists instead of tens of
thousands of fields. `layout` lays that same graph out with Graphviz on the server
(`federation.layout`): it sees only what the caller was answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import strawberry

from federation.api.catalogs import CatalogNode, catalog_nodes
from federation.api.context import Info
from federation.api.fields import field
from federation.api.identity import Viewer
from federation.api.references import visible
from federation.api.types import Resource
from federation.layout import Graphviz
from graph import model, queries
from graph.enums import ShareType, UpdateCycle
from graph.errors import InvalidValue, NotFound

__all__ = ["Lineage", "LineageColumns", "LineageEdge", "LineageLayout", "LineageNode"]

# The server lays graphs out with this (a test swaps it to inject a fault).
graphviz = Graphviz()


@strawberry.type(description="An entry reached by the walk: held here, visible to the caller.")
class LineageNode:
    code: str
    resource: Resource


@strawberry.type(description="`derived` is DERIVED_FROM `source`.")
class LineageEdge:
    derived: str
    source: str


@strawberry.type(
    description="The lineage's nodes and edges, one list per field: the i-th item of each "
    "node list is about the i-th node (the order of `nodes`), and edge j joins "
    "`edgeDerived[j]` to `edgeSource[j]`, positions in those lists."
)
class LineageColumns:
    codes: list[str]
    names: list[str]
    provider_codes: list[str]
    provider_names: list[str]
    share_types: list[ShareType]
    update_cycles: list[UpdateCycle]
    origins: list[str]
    catalogs: list[CatalogNode] = strawberry.field(
        description="The catalogs that own the nodes, known here, each once."
    )
    catalog_index: list[int | None] = strawberry.field(
        description="Each node's catalog, a position in `catalogs` (null: not known here)."
    )
    edge_derived: list[int]
    edge_source: list[int]


@strawberry.type(
    description="The lineage laid out in layers by Graphviz on the server, sources to the left "
    "of what derives from them: node i (the order of `nodes`) centred at (x[i], y[i]), in "
    "points, y growing downward, the drawing width × height."
)
class LineageLayout:
    engine: str
    codes: list[str]
    x: list[float]
    y: list[float]
    width: float
    height: float


@strawberry.type(description="The entries reachable from `root` within the depth, each once.")
class Lineage:
    root: str
    truncated: bool = strawberry.field(
        description="True when the walk stopped at the depth bound with edges left to follow."
    )
    shown: strawberry.Private[list[model.Resource]]
    joined: strawberry.Private[list[tuple[str, str]]]  # (derived, source), sorted

    @field("The entries, ordered by code.")
    def nodes(self) -> list[LineageNode]:
        return [LineageNode(code=e.code, resource=Resource.of(e)) for e in self.shown]

    @field("Each edge once.")
    def edges(self) -> list[LineageEdge]:
        return [LineageEdge(derived=d, source=s) for d, s in self.joined]

    @field("The same nodes and edges as `nodes` and `edges`, column by column.")
    async def columns(self, info: Info) -> LineageColumns:
        shown = self.shown
        at = {e.code: i for i, e in enumerate(shown)}
        catalogs: list[CatalogNode] = []
        index: dict[str, int | None] = {}
        for origin in dict.fromkeys(e.origin for e in shown):
            found = await catalog_nodes(info, [origin])
            if not found:
                index[origin] = None
                continue
            ids = [str(c.id) for c in catalogs]
            if str(found[0].id) in ids:
                index[origin] = ids.index(str(found[0].id))
            else:
                index[origin] = len(catalogs)
                catalogs.append(found[0])
        return LineageColumns(
            codes=[e.code for e in shown],
            names=[e.name for e in shown],
            provider_codes=[e.provider_code for e in shown],
            provider_names=[e.provider_name for e in shown],
            share_types=[e.share_type for e in shown],
            update_cycles=[e.update_cycle for e in shown],
            origins=[e.origin for e in shown],
            catalogs=catalogs,
            catalog_index=[index[e.origin] for e in shown],
            edge_derived=[at[d] for d, _ in self.joined],
            edge_source=[at[s] for _, s in self.joined],
        )

    @field(
        "The nodes laid out on the server by Graphviz (null, with an error saying why, when "
        "it cannot: LAYOUT_UNAVAILABLE, LAYOUT_TOO_LARGE, LAYOUT_TIMEOUT); null without an "
        "error when the lineage has no more than `ifMoreThan` nodes (a small graph is laid "
        "out by the browser)."
    )
    async def layout(self, if_more_than: int = 0) -> LineageLayout | None:
        if if_more_than < 0:
            raise InvalidValue("ifMoreThan", if_more_than, "a node count of 0 or more")
        if len(self.shown) <= if_more_than:
            return None
        at = {e.code: i for i, e in enumerate(self.shown)}
        found = await graphviz.layered(len(self.shown), [(at[s], at[d]) for d, s in self.joined])
        return LineageLayout(
            engine="graphviz dot",
            codes=[e.code for e in self.shown],
            x=list(found.x),
            y=list(found.y),
            width=found.width,
            height=found.height,
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
            truncated=lineage.truncated,
            shown=[entry for code, entry in sorted(shown.items()) if code in reached],
            joined=sorted(
                {
                    (e.derived, e.source)
                    for e in edges
                    if e.derived in reached and e.source in reached
                }
            ),
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
