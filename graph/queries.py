"""What a store is asked and what it answers: filters, pages, the tree, facets, lineage."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from graph.enums import Level, LifecycleState, ResourceKind, ShareMode, ShareType, UpdateCycle
from graph.errors import InvalidValue
from graph.model import Resource

__all__ = [
    "MAX_COUNTED",
    "MAX_LINEAGE_DEPTH",
    "MAX_PAGE_SIZE",
    "MAX_SEARCH_LENGTH",
    "ApplyOutcome",
    "CatalogCount",
    "Direction",
    "FacetCount",
    "Facets",
    "Lineage",
    "LineageEdge",
    "ResourceFilter",
    "ResourcePage",
    "check_depth",
    "check_page_size",
    "check_search",
    "counted_total",
    "decode_cursor",
    "encode_cursor",
    "facets_of",
]

MAX_PAGE_SIZE = 100
MAX_LINEAGE_DEPTH = 10
# The longest search string: the analyzer's work (and FTS5's or Lucene's) grows with it, and
# no one looks for a catalog entry with more words than a sentence.
MAX_SEARCH_LENGTH = 100
# A search counts its hits up to this many: past it the count says "at least" (a word of one
# character is in tens of thousands of entries at 100k, and counting them all cost a search
# most of its time on Neo4j; no one pages to the thousandth hit).
MAX_COUNTED = 1000


@dataclass(frozen=True, slots=True)
class ResourceFilter:
    """Which entries: every field left None (or empty) does not filter.

    `region_code` selects catalogs of that region and every region under it; `category` a node
    of the 类/项/目/细目 tree and every entry filed under it (`graph.codes.category_prefix`);
    `states` defaults to published entries only, as shown outside the providing department.
    """

    levels: frozenset[Level] = frozenset()
    region_code: str | None = None
    provider_code: str | None = None
    theme: str | None = None
    kinds: frozenset[ResourceKind] = frozenset()
    share_types: frozenset[ShareType] = frozenset()
    share_mode: ShareMode | None = None
    open_to_public: bool | None = None
    update_cycles: frozenset[UpdateCycle] = frozenset()
    states: frozenset[LifecycleState] = frozenset({LifecycleState.PUBLISHED})
    catalog_id: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """One page of a cursor-paginated list. Without a search the order is by code; with one it
    is by relevance (descending), then code. A search's `total_count` stops at `MAX_COUNTED`:
    `total_is_lower_bound` says it found more."""

    items: tuple[Resource, ...]
    total_count: int
    end_cursor: str | None
    has_next_page: bool
    scores: tuple[float, ...] = ()
    total_is_lower_bound: bool = False


def counted_total(hits: int) -> tuple[int, bool]:
    """(a search's total, whether it is a lower bound) of `hits` counted up to
    `MAX_COUNTED` + 1: more than `MAX_COUNTED` is told as at least `MAX_COUNTED`."""
    return min(hits, MAX_COUNTED), hits > MAX_COUNTED


def encode_cursor(code: str, score: float | None = None) -> str:
    """An opaque cursor naming the last entry of a page (and its score when searching)."""
    raw = json.dumps([code] if score is None else [code, score], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, float | None]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        code = value[0]
        score = float(value[1]) if len(value) > 1 else None
        if not isinstance(code, str):
            raise TypeError(code)
        return code, score
    except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:
        raise InvalidValue("after", cursor, "a cursor returned by an earlier page") from exc


def check_page_size(first: int) -> int:
    if not isinstance(first, int) or not 0 <= first <= MAX_PAGE_SIZE:
        raise InvalidValue("first", first, f"a page size from 0 to {MAX_PAGE_SIZE}")
    return first


def check_search(search: str | None) -> str | None:
    """`search` when it is at most `MAX_SEARCH_LENGTH` characters; refused by its size (never
    echoed whole) otherwise."""
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise InvalidValue(
            "search",
            f"{len(search)} characters",
            f"a search of at most {MAX_SEARCH_LENGTH} characters",
        )
    return search


def check_depth(depth: int) -> int:
    if not isinstance(depth, int) or not 1 <= depth <= MAX_LINEAGE_DEPTH:
        raise InvalidValue("depth", depth, f"a lineage depth from 1 to {MAX_LINEAGE_DEPTH}")
    return depth


@dataclass(frozen=True, slots=True)
class CatalogCount:
    """A catalog of the tree with the entries listed in it and in every catalog below it."""

    id: str
    name: str
    level: Level
    region_code: str
    parent_id: str | None
    own_count: int
    total_count: int


@dataclass(frozen=True, slots=True)
class FacetCount:
    key: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts of the entries a filter selects, each list largest first (then by key).

    Keys are the stored values: a provider's code (labelled with its name), a theme, the enum
    values of share type, share mode, update cycle, level and kind, ``true``/``false`` for open
    to the public; `by_category` counts the categories one rank below the filter's category
    (`graph.codes.child_category_length`; the 类 without one), labelled with their names.
    """

    by_provider: tuple[FacetCount, ...] = ()
    by_theme: tuple[FacetCount, ...] = ()
    by_share_type: tuple[FacetCount, ...] = ()
    by_share_mode: tuple[FacetCount, ...] = ()
    by_update_cycle: tuple[FacetCount, ...] = ()
    by_open_to_public: tuple[FacetCount, ...] = ()
    by_level: tuple[FacetCount, ...] = ()
    by_kind: tuple[FacetCount, ...] = ()
    by_category: tuple[FacetCount, ...] = ()


def facets_of(rows: Iterable[tuple[str, str, str, int]]) -> Facets:
    """`Facets` from ``(facet, key, label, count)`` rows — the facet named by its `Facets` field
    without ``by_`` — each list largest first, then by key: the one order of both stores."""
    lists: dict[str, list[FacetCount]] = {}
    for facet, key, label, count in rows:
        lists.setdefault(facet, []).append(FacetCount(key, label, count))
    ordered = {
        f"by_{facet}": tuple(sorted(counts, key=lambda c: (-c.count, c.key)))
        for facet, counts in lists.items()
    }
    return Facets(**ordered)


class Direction(StrEnum):
    """UPSTREAM: what an entry is derived from; DOWNSTREAM: what is derived from it."""

    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """`derived` is DERIVED_FROM `source`."""

    derived: str
    source: str


@dataclass(frozen=True, slots=True)
class Lineage:
    """The entries reachable from `root` within the depth, each once.

    `nodes` maps the root (None when not held here) and every entry reached; the walk follows
    edges between entries held here only, so a code referenced but not held (another level's,
    or one redacted since) is never reached. `truncated` is True when some node at the depth
    bound has further edges to held entries in the walked direction.
    """

    root: str
    nodes: dict[str, Resource | None] = field(default_factory=dict)
    edges: tuple[LineageEdge, ...] = ()
    truncated: bool = False


class ApplyOutcome(StrEnum):
    """What happened to one snapshot given to `CatalogStore.apply`."""

    APPLIED = "APPLIED"
    STALE = "STALE"  # the store already held this version or a newer one: nothing changed
    # The code is held here from another catalog, or came earlier in the same batch from one:
    # one resource, one origin (一数一源). Nothing changed.
    CONFLICT = "CONFLICT"
