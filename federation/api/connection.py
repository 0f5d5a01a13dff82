"""A Relay-style connection of resources: `totalCount`, `edges { cursor node }`, `pageInfo`."""

from __future__ import annotations

import strawberry

from federation.api.types import Resource
from graph.queries import ResourcePage, encode_cursor

__all__ = ["PageInfo", "ResourceConnection", "ResourceEdge"]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ResourceEdge:
    cursor: str
    node: Resource
    score: float | None = strawberry.field(description="Relevance, when searching.")


@strawberry.type(description="One page of resources; pass `pageInfo.endCursor` as `after`.")
class ResourceConnection:
    total_count: int
    edges: list[ResourceEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: ResourcePage) -> ResourceConnection:
        scores: list[float | None] = list(page.scores) or [None] * len(page.items)
        edges = [
            ResourceEdge(
                cursor=encode_cursor(entry.code, score), node=Resource.of(entry), score=score
            )
            for entry, score in zip(page.items, scores, strict=True)
        ]
        if edges and page.end_cursor:  # the store's own cursor for the last edge
            edges[-1].cursor = page.end_cursor
        return cls(
            total_count=page.total_count,
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )
