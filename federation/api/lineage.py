"""Lineage in the schema: what an entry is derived from (upstream) and what derives from it."""

from __future__ import annotations

import strawberry

from federation.api.identity import Viewer
from federation.api.types import Resource
from graph import queries

__all__ = ["Lineage", "LineageEdge", "LineageNode"]


@strawberry.type(description="A code reached by the walk, with its entry when held here.")
class LineageNode:
    code: str
    resource: Resource | None = strawberry.field(
        description="None when the entry is held by another instance (another level, say)."
    )


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
        # An entry the caller may not see (a draft of another department) is left out, with
        # its edges, so its code is not revealed; entries not held here stay as bare codes.
        hidden = {c for c, e in lineage.nodes.items() if e is not None and not viewer.can_see(e)}
        return cls(
            root=lineage.root,
            nodes=[
                LineageNode(code=code, resource=Resource.of(e) if e else None)
                for code, e in sorted(lineage.nodes.items())
                if code not in hidden
            ],
            edges=[
                LineageEdge(derived=e.derived, source=e.source)
                for e in lineage.edges
                if e.derived not in hidden and e.source not in hidden
            ],
            truncated=lineage.truncated,
        )
