"""A search's statements (`graph.neo4j.search`): the count of its hits, and a page of them in
the order of `graph.search.query.ranking`.

``{where}`` is the filter's condition, ``{score}`` the ranking
(`graph.neo4j.search.score_expression`, which reads the short properties `SEARCH_RANKED` binds
once per hit — ``s_code``, ``s_name``, ``s_words``, ``s_requested`` — and the long ones only
where a tier needs them), ``{after}`` a cursor's condition
(`graph.neo4j.cypher.finding.WHERE_AFTER_SCORE`) or ``true``. ``$query`` is the Lucene query
of the hits to count or to rank.
"""

from __future__ import annotations

__all__ = [
    "SEARCH_COUNT",
    "SEARCH_COUNTED_PAGE",
    "SEARCH_RANKED",
    "SEARCH_REQUESTED",
    "SEARCH_WALK",
]

SEARCH_COUNT = """
CALL db.index.fulltext.queryNodes('resource_search', $query) YIELD node AS r
WHERE {where}
RETURN count(r) AS total
"""

# The best $limit hits by score, then code: the short properties read once per hit, the
# snapshot only for the page (shared by the two statements below).
_TOP_K = """
WHERE {where}
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     coalesce(r.requested, 0) AS s_requested
WITH r, s_code, {score} AS score
WHERE {after}
WITH r, s_code, score
ORDER BY score DESC, s_code
LIMIT $limit
"""

# The count of $query's hits and the ranked page of $ranked's, in one round trip.
SEARCH_COUNTED_PAGE = (
    """
CALL () {
  CALL db.index.fulltext.queryNodes('resource_search', $query) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS total
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
CALL () {
  CALL db.index.fulltext.queryNodes('resource_search', $ranked) YIELD node AS r"""
    + _TOP_K
    + """  RETURN collect([r.snapshot, score]) AS page
}
RETURN total, nodes, page
"""
)

# Top-k of the hits by score, then code: Neo4j keeps the best $limit as it goes (no list of
# every hit is made), and reads a snapshot only for the page.
SEARCH_RANKED = (
    "CALL db.index.fulltext.queryNodes('resource_search', $query) YIELD node AS r"
    + _TOP_K
    + "RETURN r.snapshot AS snapshot, score\n"
)

# Where every hit left to rank scores alike but for its kind and requests (graph.neo4j.search:
# a word found in the body only), the order is the code's: the entries never requested are
# read along the code index from $from_code (the ORDER BY right after the MATCH is the index's
# own order, kept through what follows), tested as they come ({member}: a hit left), until a
# page is full — few nodes when such hits are common.
SEARCH_WALK = """
MATCH (r:Resource)
USING INDEX r:Resource(code)
WHERE r.code >= $from_code AND {where} AND {member} AND coalesce(r.requested, 0) = 0
WITH r
ORDER BY r.code
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     0 AS s_requested
WITH r, s_code, {score} AS score
WHERE {after}
WITH r, s_code, score
LIMIT $limit
RETURN r.snapshot AS snapshot, score, s_code AS code
"""

# …and those requested, found through the index on ``requested`` (few).
SEARCH_REQUESTED = """
MATCH (r:Resource)
WHERE r.requested > 0 AND {where} AND {member}
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     r.requested AS s_requested
WITH r, s_code, {score} AS score
WHERE {after}
RETURN r.snapshot AS snapshot, score, s_code AS code
"""
