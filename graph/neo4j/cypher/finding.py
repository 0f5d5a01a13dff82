"""Finding entries (`graph.neo4j.finding`): the filter's fragments, the ways to select entries,
and the statements that count, page and facet a selection.

Templates take ``{where}`` (a condition joined from the ``WHERE_…`` fragments by
`graph.neo4j.filters`), ``{selected}`` (one of the selections with its condition) and
``{after}`` (a cursor's condition), put in by `fill`.
"""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "ALL_RESOURCES",
    "COUNT_AMONG_NODES",
    "COUNT_WITH_REGIONS",
    "FACET_CATEGORY",
    "FACET_CATEGORY_PREFIX",
    "FACET_GROUPS",
    "PAGE_BY_CODE",
    "PAGE_BY_REGION",
    "PAGE_BY_REGION_AND_SHARE_TYPE",
    "PAGE_IN_CODE_ORDER",
    "PAGE_IN_INDEX_ORDER",
    "RESOURCES_ABOUT",
    "SEARCHED_RESOURCES",
    "WHERE_AFTER_CODE",
    "WHERE_AFTER_SCORE",
    "WHERE_CATALOG",
    "WHERE_CATEGORY",
    "WHERE_CODED",
    "WHERE_KINDS",
    "WHERE_LEVELS",
    "WHERE_LISTED",
    "WHERE_OPEN",
    "WHERE_PROVIDER",
    "WHERE_PUBLISHED",
    "WHERE_REGION",
    "WHERE_SHARE_MODE",
    "WHERE_SHARE_TYPES",
    "WHERE_STATES",
    "WHERE_THEME",
    "WHERE_UPDATE_CYCLES",
]

# Fragments of a filter condition over `r`; `graph.neo4j.filters` joins those that apply.
WHERE_LISTED = "r.state IS NOT NULL"
WHERE_STATES = "r.state IN $states"
# Published entries (what is shown outside the provider, the default) also carry a label,
# which a node's own record answers without reading its properties: cheap on search hits and
# counted by the label index; with other filters the (state, …) indexes do better.
WHERE_PUBLISHED = "r:Published"
WHERE_LEVELS = "r.level IN $levels"
WHERE_REGION = "r.region_code STARTS WITH $region_prefix"
WHERE_CATALOG = "r.catalog_id = $catalog_id"
WHERE_CATEGORY = "r.code STARTS WITH $category_prefix"
WHERE_PROVIDER = "r.provider_code = $provider_code"
WHERE_THEME = "EXISTS { (r)-[:ABOUT]->(:Theme {name: $theme}) }"
WHERE_KINDS = "r.kind IN $kinds"
WHERE_SHARE_TYPES = "r.share_type IN $share_types"
WHERE_SHARE_MODE = "$share_mode IN r.share_modes"
WHERE_OPEN = "r.open_to_public = $open_to_public"
WHERE_UPDATE_CYCLES = "r.update_cycle IN $update_cycles"
# The (state, …) indexes end in the code (graph.neo4j.schema), so that a page in code order is
# read from the index without a node's code; a seek of one must name each of its properties.
# Every entry has a code: it selects nothing away.
WHERE_CODED = "r.code IS NOT NULL"

# The ways to select entries: every entry, those about a theme, or the hits of a full-text query
# with a score.
ALL_RESOURCES = "MATCH (r:Resource) WHERE {where}"
# With a theme and no search: a theme is about a twelfth of the catalog, a cheap place to start.
RESOURCES_ABOUT = "MATCH (:Theme {name: $theme})<-[:ABOUT]-(r:Resource) WHERE {where}"
# (Lucene's `score` is yielded for the cursor's fragment, not used: the order is
# graph.search.query.ranking, graph.neo4j.cypher.search.)
SEARCHED_RESOURCES = (
    "CALL db.index.fulltext.queryNodes('resource_fulltext', $query) YIELD node AS r, score "
    "WHERE {where}"
)

# A cursor's condition is compared on the code an index gives, not sought: a seek from the
# cursor along a (state, …, code) index would read every entry after it of the pair, not the
# few the rest of the filter selects (the planner cannot tell which is fewer).
WHERE_AFTER_CODE = "coalesce(r.code, '') > $after_code"
WHERE_AFTER_SCORE = "(score < $after_score OR (score = $after_score AND r.code > $after_code))"

# The count of a selection and of every Resource node (from the count store, placeholders
# included: an estimate's input), in one round trip.
COUNT_AMONG_NODES = """
CALL () {
  {selected}
  RETURN count(r) AS total
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
RETURN total, nodes
"""

# The same count, with the regions of the entries counted (from the index the count seeks: no
# node is read), for a page read region by region (`PAGE_BY_REGION`).
COUNT_WITH_REGIONS = """
CALL () {
  {selected}
  RETURN count(r) AS total, collect(DISTINCT r.region_code) AS regions
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
RETURN total, nodes, regions
"""

PAGE_BY_CODE = """
{selected}
RETURN r.snapshot AS snapshot
ORDER BY r.code
LIMIT $limit
"""

# The same page read along the code index, filtering as it goes: cheaper than sorting every
# match when matches are common (`graph.neo4j.finding` decides from the counts).
PAGE_IN_CODE_ORDER = """
MATCH (r:Resource)
USING INDEX r:Resource(code)
WHERE r.code > $after_code AND {where}
RETURN r.snapshot AS snapshot
ORDER BY r.code
LIMIT $limit
"""

# A filter of one state and one value of one other property, in the order of their
# (state, {property}, code) index (graph.neo4j.schema): the seek gives the entries in code
# order, so a page reads its own entries only. Ordering by all three keeps that order visible
# to the planner; the state and the property being fixed, it is the order by code. The index is
# named: on a small graph the planner would rather scan.
PAGE_IN_INDEX_ORDER = """
MATCH (r:Resource)
USING INDEX r:Resource(state, {property}, code)
WHERE r.state = $state AND r.{property} = $value AND r.code > $after_code
RETURN r.snapshot AS snapshot
ORDER BY r.state, r.{property}, r.code
LIMIT $limit
"""

# A filter of one state and a region (and share types): each of the `$regions` the count found
# gives its entries in code order from the (state, [share_type,] region_code, code) index, so
# the page is the first of at most ($limit × regions) index entries, and only its own nodes are
# read — not a sort of every entry of a province (39,100 of one share type at 1M). `{seek}` is
# the index's properties before the code, each sought at its value: `{keys}` and `{equal}`
# name them in the hint and the condition, `{order}` in the order that keeps the index's.
_PAGE_BY_REGION = """
UNWIND $regions AS region
{unwind}CALL ({imported}) {
  MATCH (r:Resource)
  USING INDEX r:Resource({keys}, code)
  WHERE {equal} AND r.code > $after_code
  RETURN r
  ORDER BY {order}, r.code
  LIMIT $limit
}
WITH r
ORDER BY r.code
LIMIT $limit
RETURN r.snapshot AS snapshot
"""


def _page_by_region(seek: dict[str, str], unwind: str = "") -> str:
    """`_PAGE_BY_REGION` seeking each property of `seek` (property → value) in its order."""
    return fill(
        _PAGE_BY_REGION,
        unwind=unwind,
        imported=", ".join(v for v in seek.values() if not v.startswith("$")),
        keys=", ".join(seek),
        equal=" AND ".join(f"r.{p} = {v}" for p, v in seek.items()),
        order=", ".join(f"r.{p}" for p in seek),
    )


PAGE_BY_REGION = _page_by_region({"state": "$state", "region_code": "region"})
PAGE_BY_REGION_AND_SHARE_TYPE = _page_by_region(
    {"state": "$state", "share_type": "share_type", "region_code": "region"},
    unwind="UNWIND $share_types AS share_type\n",
)

# An entry's category in the facets: its whole 前段码, or the first $category_length digits.
FACET_CATEGORY = "split(r.code, '/')[0]"
FACET_CATEGORY_PREFIX = "substring(r.code, 0, $category_length)"

# The selection made once, then each facet counted from it; `{category}` is the key of an
# entry's category one rank below the filter's (`graph.neo4j.finding`). Python orders them.
FACET_GROUPS = """
{selected}
WITH collect(r) AS chosen
CALL (chosen) {
  UNWIND chosen AS r
  WITH r.provider_code AS key, count(*) AS n
  RETURN collect([key, n]) AS providers
}
CALL (chosen) {
  UNWIND chosen AS r
  UNWIND coalesce(r.themes, []) AS key
  WITH key, count(*) AS n
  RETURN collect([key, n]) AS themes
}
CALL (chosen) {
  UNWIND chosen AS r
  UNWIND coalesce(r.share_modes, []) AS key
  WITH key, count(*) AS n
  RETURN collect([key, n]) AS share_modes
}
CALL (chosen) {
  UNWIND chosen AS r
  WITH [r.share_type, r.update_cycle, toString(r.open_to_public), r.level, r.kind,
        {category}] AS keys, count(*) AS n
  RETURN collect([keys, n]) AS groups
}
RETURN providers, themes, share_modes, groups
"""
