"""Finding entries: a filtered, optionally searched, cursor-paginated list, and its facets.

Without a search the order is by code (the uniqueness index on ``code`` gives it); with one, by
`graph.search.query.ranking` (descending) and then by code, so ties never reorder between
pages. The search is `graph.neo4j.search.ranked_page` of the caller's `SearchPlan`: exactly
the entries the embedded store finds, in the same order.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.codes import child_category_length
from graph.errors import InvalidValue
from graph.neo4j.cypher import all_of, fill
from graph.neo4j.cypher.finding import (
    ALL_RESOURCES,
    COUNT_AMONG_NODES,
    COUNT_WITH_REGIONS,
    FACET_CATEGORY,
    FACET_CATEGORY_PREFIX,
    FACET_GROUPS,
    PAGE_BY_CODE,
    PAGE_BY_REGION,
    PAGE_BY_REGION_AND_SHARE_TYPE,
    PAGE_IN_CODE_ORDER,
    PAGE_IN_INDEX_ORDER,
    RESOURCES_ABOUT,
    SEARCHED_RESOURCES,
    WHERE_AFTER_CODE,
    WHERE_THEME,
)
from graph.neo4j.cypher.reference import CATEGORIES, DEPARTMENT_NAMES
from graph.neo4j.filters import condition
from graph.neo4j.search import lucene_query, ranked_page
from graph.neo4j.statements import run
from graph.queries import (
    Facets,
    ResourceFilter,
    ResourcePage,
    check_page_size,
    counted_total,
    decode_cursor,
    encode_cursor,
    facets_of,
)
from graph.search import SearchPlan
from graph.snapshot import resource_from_json

__all__ = ["facets", "find"]

_EMPTY = ResourcePage(items=(), total_count=0, end_cursor=None, has_next_page=False)


def _selection(
    where: ResourceFilter, search: SearchPlan | None
) -> tuple[str, list[str], dict[str, Any]]:
    """The statement head that selects what `where` and `search` do: (source, fragments,
    params); `source` still has its ``{where}``."""
    if search is not None:
        source = SEARCHED_RESOURCES
    elif where.theme is not None:
        source = RESOURCES_ABOUT
    else:
        source = ALL_RESOURCES
    parts, params = condition(
        where, theme_matched=source is RESOURCES_ABOUT, searching=search is not None
    )
    return source, parts, params


def _selected(source: str, parts: list[str]) -> str:
    return fill(source, where=all_of(parts))


async def find(
    tx: AsyncManagedTransaction,
    where: ResourceFilter,
    search: SearchPlan | None,
    first: int,
    after: str | None,
    searching: bool = False,
) -> ResourcePage:
    """One page; `search` is the plan of the caller's search (None: no search, or when
    `searching`, a search with nothing to look for, which finds nothing)."""
    first = check_page_size(first)
    cursor = decode_cursor(after) if after is not None else None
    if search is None and searching:
        return _EMPTY
    source, parts, params = _selection(where, search)
    params["limit"] = first + 1
    if search is None:
        return await _by_code(tx, source, parts, params, first, cursor)
    if cursor is not None and cursor[1] is None:
        raise InvalidValue("after", after, "a cursor returned by an earlier page of this search")
    after_score = None if cursor is None or cursor[1] is None else (cursor[0], cursor[1])
    # first = 0 with no cursor only counts (did-you-mean asks it of each suggestion).
    limit = 0 if first == 0 and cursor is None else first + 1
    hits, page = await ranked_page(tx, search, all_of(parts), params, limit, after_score)
    total, more = counted_total(hits)
    if limit == 0:
        return ResourcePage((), total, None, has_next_page=total > 0, total_is_lower_bound=more)
    items = tuple(resource_from_json(snapshot) for snapshot, _score in page[:first])
    scores = tuple(score for _snapshot, score in page[:first])
    end = encode_cursor(items[-1].code, scores[-1]) if items else None
    more_pages = len(page) > first
    return ResourcePage(items, total, end, more_pages, scores, total_is_lower_bound=more)


async def _by_code(
    tx: AsyncManagedTransaction,
    source: str,
    parts: list[str],
    params: dict[str, Any],
    first: int,
    cursor: tuple[str, float | None] | None,
) -> ResourcePage:
    by_region = source is ALL_RESOURCES and _by_region(params)
    count = COUNT_WITH_REGIONS if by_region else COUNT_AMONG_NODES
    (record,) = await run(tx, fill(count, selected=_selected(source, parts)), params)
    total = int(record["total"])
    if total == 0:
        return _EMPTY
    page_parts = list(parts)
    if cursor is not None:
        page_parts.append(WHERE_AFTER_CODE)
        params["after_code"] = cursor[0]
    ordered = _index_ordered(params)
    if by_region and len(record["regions"]) <= _MAX_REGIONS:
        params.update(state=params["states"][0], regions=sorted(record["regions"]))
        params.setdefault("after_code", "")
        page = PAGE_BY_REGION_AND_SHARE_TYPE if "share_types" in params else PAGE_BY_REGION
    elif ordered is not None and source is ALL_RESOURCES:
        prop, value = ordered
        params.update(state=params["states"][0], value=value)
        params.setdefault("after_code", "")
        page = fill(PAGE_IN_INDEX_ORDER, property=prop)
    elif _common(total, int(record["nodes"]), first):
        params.setdefault("after_code", "")
        along = [*parts, WHERE_THEME] if source is RESOURCES_ABOUT else parts
        page = fill(PAGE_IN_CODE_ORDER, where=all_of(along))
    else:
        page = fill(PAGE_BY_CODE, selected=_selected(source, page_parts))
    records = await run(tx, page, params)
    items = tuple(resource_from_json(r["snapshot"]) for r in records[:first])
    end = encode_cursor(items[-1].code) if items else None
    return ResourcePage(items, total, end, has_next_page=len(records) > first)


# The filters that are one value of one property beside the state: the parameter of
# `graph.neo4j.filters.condition` → the property its (state, property, code) index is on.
_ONE_VALUE = {
    "share_types": "share_type",
    "levels": "level",
    "kinds": "kind",
    "update_cycles": "update_cycle",
    "catalog_id": "catalog_id",
    "provider_code": "provider_code",
    "open_to_public": "open_to_public",
}


def _index_ordered(params: dict[str, Any]) -> tuple[str, Any] | None:
    """(property, value) when the condition's `params` are one state and one value of one
    property with a (state, property, code) index: its entries come in code order from it."""
    chosen = [name for name in params if name not in ("states", "limit", "after_code")]
    if len(params.get("states", ())) != 1 or len(chosen) != 1 or chosen[0] not in _ONE_VALUE:
        return None
    value = params[chosen[0]]
    if isinstance(value, list):
        if len(value) != 1:
            return None
        value = value[0]
    return _ONE_VALUE[chosen[0]], value


# The filters a page is read region by region for (`PAGE_BY_REGION`): one state and a region,
# with share types or without — each pair's entries come in code order from an index.
_BY_REGION = (
    frozenset({"states", "region_prefix"}),
    frozenset({"states", "region_prefix", "share_types"}),
)
# At most this many regions are read one by one (a province's few hundred are); more, and the
# page sorts the matches as before.
_MAX_REGIONS = 500


def _by_region(params: dict[str, Any]) -> bool:
    """Whether the condition's `params` are one state and a region, and share types or none."""
    chosen = frozenset(name for name in params if name != "limit")
    return chosen in _BY_REGION and len(params["states"]) == 1


# How many times the cost of reading a node does the sorting of a match read from an index
# stand for, at most: the walk along the code index reads ``(first + 1) × nodes / matches``
# nodes only if the matches are spread evenly along the codes; a region's or a share type's
# entries gather in some categories, and a walk read 40,000 nodes where 3,400 were expected
# (1M entries). The (state, …, code) indexes give the sort its codes without a node read.
_WALK_MARGIN = 100


def _common(matches: int, nodes: int, first: int) -> bool:
    """Whether reading the code index in order until a page is full (about
    ``(first + 1) × nodes / matches`` nodes, with `_WALK_MARGIN` to spare) costs less than
    sorting all `matches`."""
    return matches > 0 and (first + 1) * nodes * _WALK_MARGIN <= matches * matches


_FACET_KEYS = ("share_type", "update_cycle", "open_to_public", "level", "kind", "category")


async def facets(
    tx: AsyncManagedTransaction,
    where: ResourceFilter,
    search: SearchPlan | None,
    searching: bool = False,
) -> Facets:
    """Counts by provider (key: code, label: name), theme, share type, share mode, update
    cycle, open to the public, level, kind and category (`Facets`), largest first."""
    if search is None and searching:
        return Facets()
    source, parts, params = _selection(where, search)
    if search is not None:
        params["query"] = lucene_query(search)
    length = child_category_length(where.category)
    category = FACET_CATEGORY if length is None else FACET_CATEGORY_PREFIX
    params["category_length"] = length
    statement = fill(FACET_GROUPS, selected=_selected(source, parts), category=category)
    (record,) = await run(tx, statement, params)
    counts: dict[str, Counter[str]] = {name: Counter() for name in _FACET_KEYS}
    for keys, n in record["groups"]:
        for name, key in zip(_FACET_KEYS, keys, strict=True):
            counts[name][key] += int(n)
    providers = Counter({key: int(n) for key, n in record["providers"]})
    names = {
        r["code"]: r["name"] for r in await run(tx, DEPARTMENT_NAMES, {"codes": sorted(providers)})
    }
    categories = counts["category"]
    titles = {
        r["code"]: r["name"] for r in await run(tx, CATEGORIES, {"codes": sorted(categories)})
    }
    rows = [("provider", key, names.get(key, key), n) for key, n in providers.items()]
    rows += [("theme", key, key, int(n)) for key, n in record["themes"]]
    rows += [("share_mode", key, key, int(n)) for key, n in record["share_modes"]]
    for name, counted in counts.items():
        labels = titles if name == "category" else {}
        rows += [(name, key, labels.get(key, key), n) for key, n in counted.items()]
    return facets_of(rows)
