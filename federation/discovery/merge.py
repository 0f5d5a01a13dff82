"""Merging the pages of several instances into one page: order, de-duplication, cursors.

Order. Without a search: by resource code, as every instance orders. With a search: by score
(descending), then code. Scores are each instance's own (its relevance over its own corpus),
so the interleaving of two instances' matches is approximate; within one instance's matches the
order is exact.

De-duplication. One code is shown once; of its copies, the origin's wins (the copy whose origin
is the instance that holds it), else the first source's (this instance, then the parent, then
the children). Without a search every copy of a code meets at the same position, so a code is
never shown twice across pages either; with a search, copies are merged within a page only.

Pagination. The cursor is opaque: for each source, the source's own cursor of the last entry
taken from it (or none yet), and which sources are exhausted. Each page asks every source for
`first` entries after its position and takes the first `first` of the merge; entries fetched but
not taken are asked for again next time. A source that did not answer keeps its position and is
asked again on the next page. A page may hold fewer than `first` entries when a source's
window ran out before the others' (`hasNextPage` is then true).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graph.errors import InvalidValue
from graph.model import Resource

__all__ = ["MergedEdge", "MergedPage", "Position", "SourcePage", "merge"]

_ACCEPTED = "a cursor returned by an earlier page of a PEERS-scoped query"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a PEERS-scoped listing stands in each source."""

    cursors: Mapping[str, str] = field(default_factory=dict)
    exhausted: frozenset[str] = frozenset()

    def encode(self) -> str:
        raw = {"peers": dict(sorted(self.cursors.items())), "done": sorted(self.exhausted)}
        text = json.dumps(raw, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> Position:
        if cursor is None:
            return cls()
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
            cursors = raw["peers"]
            done = raw["done"]
            ok = isinstance(cursors, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in cursors.items()
            )
            if not ok or not isinstance(done, list):
                raise TypeError(raw)
            return cls(dict(cursors), frozenset(str(d) for d in done))
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            raise InvalidValue("after", cursor, _ACCEPTED) from exc


@dataclass(frozen=True, slots=True)
class SourcePage:
    """What one source answered: its entries in its order, with each entry's own cursor and
    score; `hidden` marks entries this instance must not show (they still move the source on)."""

    source: str
    items: tuple[Resource, ...]
    cursors: tuple[str, ...]
    has_next_page: bool
    total_count: int
    scores: tuple[float | None, ...] = ()
    total_is_lower_bound: bool = False
    hidden: tuple[bool, ...] = ()
    holders: tuple[str, ...] = ()

    def holder(self, index: int) -> str:
        """The instance whose copy entry `index` is (a parent relays its ancestors')."""
        return self.holders[index] if self.holders else self.source

    def score(self, index: int) -> float | None:
        return self.scores[index] if self.scores else None

    def is_hidden(self, index: int) -> bool:
        return bool(self.hidden) and self.hidden[index]


@dataclass(frozen=True, slots=True)
class MergedEdge:
    entry: Resource
    score: float | None
    source: str
    cursor: str


@dataclass(frozen=True, slots=True)
class MergedPage:
    edges: tuple[MergedEdge, ...]
    total_count: int
    has_next_page: bool
    end_cursor: str | None
    total_is_lower_bound: bool = False


def merge(
    pages: Sequence[SourcePage], start: Position, first: int, *, searching: bool
) -> MergedPage:
    """The first `first` distinct entries of `pages` in merged order, from `start`.

    Sources not in `pages` (they did not answer) keep their position in every cursor.
    """
    heads = {page.source: 0 for page in pages}
    by_source = {page.source: page for page in pages}

    def key(page: SourcePage) -> tuple[float, str]:
        index = heads[page.source]
        score = page.score(index) if searching else None
        return (-(score or 0.0), page.items[index].code)

    def position() -> Position:
        cursors = dict(start.cursors)
        exhausted = set(start.exhausted)
        for page in pages:
            taken = heads[page.source]
            if taken:
                cursors[page.source] = page.cursors[taken - 1]
            if taken == len(page.items) and not page.has_next_page:
                exhausted.add(page.source)
        return Position(cursors, frozenset(exhausted))

    edges: list[MergedEdge] = []
    shown: set[str] = set()
    while len(edges) < first:
        for page in pages:  # hidden entries are passed over wherever they stand
            while heads[page.source] < len(page.items) and page.is_hidden(heads[page.source]):
                heads[page.source] += 1
        if any(heads[p.source] == len(p.items) and p.has_next_page for p in pages):
            break  # that source's next entries are unknown: the merge cannot go past them
        ready = [p for p in pages if heads[p.source] < len(p.items)]
        if not ready:
            break
        lead = min(ready, key=key)
        code = lead.items[heads[lead.source]].code
        copies = [p for p in ready if p.items[heads[p.source]].code == code]
        chosen = _origin_copy(copies, heads)
        index = heads[chosen.source]
        for page in copies:
            heads[page.source] += 1
        if code in shown:  # searching: a copy already shown on this page
            continue
        shown.add(code)
        edges.append(
            MergedEdge(
                chosen.items[index], chosen.score(index), chosen.holder(index), position().encode()
            )
        )
    end = position()
    more = any(s not in end.exhausted for s in by_source)
    total = max((p.total_count for p in pages), default=0)
    # The largest count is exact only where no other source found anything and it was counted
    # whole; else it is a lower bound of the distinct entries (copies are counted by each).
    counted = [p for p in pages if p.total_count > 0]
    lower_bound = len(counted) > 1 or any(p.total_is_lower_bound for p in counted)
    # The end cursor also moves past hidden entries passed over after the last edge.
    end_cursor = end.encode() if end != start else (edges[-1].cursor if edges else None)
    return MergedPage(tuple(edges), total, more, end_cursor, lower_bound)


def _origin_copy(copies: Sequence[SourcePage], heads: Mapping[str, int]) -> SourcePage:
    """The copy held by its origin, else the first source's."""
    for page in copies:
        if page.items[heads[page.source]].origin == page.holder(heads[page.source]):
            return page
    return copies[0]
