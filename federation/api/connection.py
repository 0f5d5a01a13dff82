"""A Relay-style connection of resources: `totalCount`, `edges { cursor node }`, `pageInfo`,
and, for a PEERS-scoped query, the peers that did not answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry

from federation import peers
from federation.api.fields import field
from federation.api.highlights import Highlight, highlights_of
from federation.api.peers import PeerFailure
from federation.api.types import Resource
from federation.discovery import MergedPage
from graph.queries import MAX_COUNTED, ResourcePage, encode_cursor
from graph.search import SearchPlan

__all__ = ["PageInfo", "ResourceConnection", "ResourceEdge"]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ResourceEdge:
    node: Resource
    score: float | None = strawberry.field(
        description="Relevance, when searching: the answering instance's own."
    )
    instance: str = strawberry.field(description="The instance whose copy this is.")
    # The cursor and the highlights are made when asked for: a page that shows neither (the
    # explorer's list, most clients) spends nothing on them.
    given_cursor: strawberry.Private[str | None] = None
    plan: strawberry.Private[Callable[[], SearchPlan | None] | None] = None  # read once, if asked

    @strawberry.field
    def cursor(self) -> str:
        if self.given_cursor is not None:
            return self.given_cursor
        return encode_cursor(self.node.entry.code, self.score)

    @field(
        "When searching: the name, and the summary around its first match, as fragments "
        "marked where the search's words (or their synonyms) were found."
    )
    def highlights(self) -> list[Highlight]:
        plan = None if self.plan is None else self.plan()
        return [] if plan is None else highlights_of(self.node.entry, plan)


@strawberry.type(description="One page of resources; pass `pageInfo.endCursor` as `after`.")
class ResourceConnection:
    total_count: int = strawberry.field(
        description=f"Entries selected. A search counts its hits up to {MAX_COUNTED:,}: past "
        f"that, this is {MAX_COUNTED:,} and `totalIsLowerBound` is true. In PEERS scope: the "
        "largest count of any one instance asked, a lower bound of the distinct entries "
        "across them."
    )
    edges: list[ResourceEdge]
    page_info: PageInfo
    total_is_lower_bound: bool = strawberry.field(
        default=False,
        description="Whether `totalCount` is only a lower bound: a search found more entries "
        f"than it counts (shown as {MAX_COUNTED}+), or, in PEERS scope, more than one "
        "instance found entries (their copies are not told apart in the count) or a peer did "
        "not answer.",
    )
    unreachable_peers: list[PeerFailure] = strawberry.field(
        default_factory=list,
        description="PEERS scope: the peers that did not answer (their entries are missing).",
    )
    did_you_mean: str | None = strawberry.field(
        default=None,
        description="When a search found nothing: a near spelling (a homophone or one "
        "character off, from the catalog's vocabulary) that finds something here.",
    )

    @classmethod
    def of(
        cls, page: ResourcePage, instance: str, plan: Callable[[], SearchPlan | None] | None = None
    ) -> ResourceConnection:
        scores: list[float | None] = list(page.scores) or [None] * len(page.items)
        edges = [
            ResourceEdge(node=Resource.of(entry), score=score, instance=instance, plan=plan)
            for entry, score in zip(page.items, scores, strict=True)
        ]
        if edges and page.end_cursor:  # the store's own cursor for the last edge
            edges[-1].given_cursor = page.end_cursor
        return cls(
            total_count=page.total_count,
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_is_lower_bound=page.total_is_lower_bound,
        )

    @classmethod
    def merged(
        cls,
        page: MergedPage,
        failures: Sequence[peers.PeerFailure],
        plan: Callable[[], SearchPlan | None] | None = None,
    ) -> ResourceConnection:
        edges = [
            ResourceEdge(
                node=Resource.of(edge.entry),
                score=edge.score,
                instance=edge.source,
                given_cursor=edge.cursor,
                plan=plan,
            )
            for edge in page.edges
        ]
        return cls(
            total_count=page.total_count,
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_is_lower_bound=page.total_is_lower_bound or bool(failures),
            unreachable_peers=[PeerFailure.of(f) for f in failures],
        )
