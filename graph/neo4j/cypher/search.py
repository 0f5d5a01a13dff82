"""A search's statements (`graph.neo4j.search`): the count of its hits, and a page of them in
the order of `graph.search.query.ranking`.

``{where}`` is the filter's condition, ``{score}`` the ranking
(`graph.neo4j.search.score_expression`, which reads the short properties `_TOP_K`
binds once per hit — ``s_code``, ``s_name``, ``s_words``, ``s_requested`` — and the long ones only
where a tier needs them), ``{after}`` a cursor's condition
(`graph.neo4j.cypher.finding.WHERE_AFTER_SCORE`) or ``true``. ``$query`` is the Lucene query
of the hits to count or to rank.
"""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "SEARCH_COUNT",
    "SEARCH_COUNTED_PAGE",
    "SEARCH_REQUESTED",
    "SEARCH_TIER",
    "SEARCH_TIERS",
    "SEARCH_WALK",
]

SEARCH_COUNT = """
CALL db.index.fulltext.queryNodes('resource_fulltext', $query) YIELD node AS r
WHERE {where}
RETURN count(r) AS total
"""

# The best $limit hits by score, then code: the short properties read once per hit, the
# snapshot only for the page (shared by the statements below). {member}: which of the hits
# are ranked (a tier of graph.neo4j.search, over the bound properties), or ``true``.
_TOP_K = """
WHERE {where}
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     coalesce(r.requested, 0) AS s_requested
WHERE {member}
WITH r, s_code, {score} AS score
WHERE {after}
WITH r, s_code, score
ORDER BY score DESC, s_code
LIMIT $limit
"""

# The count of $query's hits, of $named's (the name hits) and of $in_body's (the first tier
# of the others), and the ranked page of $ranked's, in one round trip.
SEARCH_COUNTED_PAGE = (
    """
CALL () {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $query) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS total
}
CALL () {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $named) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS named
}
CALL () {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $in_body) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS in_body
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
CALL () {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $ranked) YIELD node AS r"""
    + _TOP_K
    + """  RETURN collect([r.snapshot, score]) AS page
}
RETURN total, named, in_body, nodes, page
"""
)

# A tier of a search of one word (graph.neo4j.search), whose entries score alike but for
# their kind and requests: those requested ({member}: in the tier, over ``r``), found through
# the index on ``requested`` (few) and ranked; and the first $limit of the others in code
# order from {start} among the hits of {tier}, reading only their code — and as many more as
# may be dropped after (the requested ones, {exact_count} entries named exactly the word, the
# cursor's own entry: a LIMIT cannot count them) — then ranked. The order of the code is the
# order of the kind (its first digit), so the page is the best of the two. ``hits``: how many
# of {tier}'s hits are from {start} on. {imports}: the variables the second subquery takes.
_TIER = """
CALL () {
  MATCH (r:Resource)
  WHERE r.requested > 0 AND {where} AND {member}
  WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
       r.requested AS s_requested
  WITH r, s_code, {score} AS score
  RETURN count(r) AS asked, collect(CASE WHEN {after} THEN [r.snapshot, score, s_code] END)
         AS asked_rows
}
CALL ({imports}) {
  CALL db.index.fulltext.queryNodes('resource_fulltext', {tier}) YIELD node AS r
  WITH r, r.code AS s_code
  WHERE s_code >= {start} AND {where}
  WITH r, s_code
  ORDER BY s_code
  WITH collect(r) AS ordered
  CALL (ordered, {imports}) {
    UNWIND ordered[..$limit + {exact_count} + asked + 1] AS r
    WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
         coalesce(r.requested, 0) AS s_requested
    WHERE s_requested = 0 AND s_name <> $exact
    WITH r, s_code, {score} AS score
    WHERE {after}
    WITH r, s_code, score
    LIMIT $limit
    RETURN collect([r.snapshot, score, s_code]) AS rows
  }
  RETURN rows, size(ordered) AS hits
}
"""

SEARCH_TIER = fill(
    _TIER + "RETURN asked_rows + rows AS rows\n",
    tier="$tier",
    start="$from_code",
    exact_count="$exact_count",
    imports="asked",
)

# A search of one word, its first round trip: the count of its hits ($query) and of every
# Resource node; the entries named exactly the word ($exact, sought in the index on
# ``search_name``: how many, and the best $limit); the tier below them, the word a whole word
# of the name, as `SEARCH_TIER` reads it ($tier from $from_code, {member}; ``word_hits``); and,
# only where these leave the page short, the count of the next tier's hits ($name_tier, the
# other name hits: 0 where not counted), which says how to read it.
SEARCH_TIERS = """
CALL () {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $query) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS total
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
CALL () {
  MATCH (r:Resource)
  WHERE r.search_name = $exact AND {where}
  WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
       coalesce(r.requested, 0) AS s_requested
  WITH r, s_code, {score} AS score
  ORDER BY score DESC, s_code
  RETURN count(r) AS exact_count,
         collect(CASE WHEN {after} THEN [r.snapshot, score, s_code] END)[..$limit] AS exact_rows
}
CALL (exact_count) {
  {word_tier}
  RETURN asked_rows + rows AS word_rows, hits AS word_hits
}
WITH total, nodes, exact_count, exact_rows + word_rows AS rows, word_hits
CALL (rows) {
  WITH rows
  WHERE size(rows) < $limit
  CALL db.index.fulltext.queryNodes('resource_fulltext', $name_tier) YIELD node AS r
  WHERE {where}
  RETURN count(r) AS name_hits
}
RETURN total, nodes, exact_count, rows, word_hits, name_hits
"""
SEARCH_TIERS = fill(
    SEARCH_TIERS,
    word_tier=fill(
        _TIER,
        tier="$tier",
        start="$from_code",
        exact_count="exact_count",
        imports="asked, exact_count",
    ),
)

# Where every hit left to rank scores alike but for its kind and requests (graph.neo4j.search:
# a word found in the body only), the order is the code's: the entries never requested are
# read along the code index from $from_code (the ORDER BY right after the MATCH is the index's
# own order, kept through what follows), tested as they come ({member}: a hit left), until a
# page is full — few nodes when such hits are common — or $budget nodes were read.
SEARCH_WALK = """
MATCH (r:Resource)
USING INDEX r:Resource(code)
WHERE r.code >= $from_code
WITH r
ORDER BY r.code
LIMIT $budget
WITH r
WHERE {where} AND {member} AND coalesce(r.requested, 0) = 0
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
