"""A search's statements (`graph.neo4j.search`): the count of its hits, and a page of them in
the order of `graph.search.query.ranking`.

Every search is asked through the same few texts: its plan is the parameter ``$plan``
(`graph.neo4j.search.plan_parameter`), read by `_SCORE` (the ranking) and by the conditions
that say which tier an entry is in (`WHERE_FOUND_ELSEWHERE` …), so that Neo4j plans each
statement once, not once per shape of search. ``{where}`` is the filter's condition,
``{after}`` a cursor's condition (`graph.neo4j.cypher.finding.WHERE_AFTER_SCORE`) or ``true``,
``$tier_of`` which tier condition holds. ``$query`` is the Lucene query of the hits to count
or to rank.
"""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "SEARCH_COUNT",
    "SEARCH_COUNTED_PAGE",
    "SEARCH_REQUESTED",
    "SEARCH_TIER",
    "SEARCH_TIERS",
    "SEARCH_TIER_CAPPED",
    "SEARCH_WALK",
    "WHERE_BY_SYNONYM_AS_TYPED",
    "WHERE_BY_SYNONYM_OTHERWISE",
    "WHERE_FOUND_ELSEWHERE",
    "WHERE_FOUND_ELSEWHERE_AS_TYPED",
    "WHERE_FOUND_ELSEWHERE_OTHERWISE",
    "WHERE_IN_NAME_AS_A_WORD",
    "WHERE_IN_NAME_INSIDE_A_WORD",
]

# A phrase $plan holds (``p``: its field and its padded tokens) found: in the entry's pinyin
# or initials, or where {text} says for a phrase of the text.
_PHRASE_FOUND = (
    "CASE p.field WHEN 'pinyin' THEN r.search_pinyin CONTAINS p.text "
    "WHEN 'initials' THEN r.search_initials CONTAINS p.text ELSE {text} END"
)
_EVERY_GROUP = "all(g IN $plan.groups WHERE any(a IN g WHERE {alternative}))"
_EVERY_PHRASE = "all(p IN a.phrases WHERE {phrase})"

# graph.search.query.ranking, tier by tier, over ``r``, the short properties the statements
# bind (``s_code``, ``s_name``, ``s_words``, ``s_requested``) and $plan. Without a pinyin or
# initials alternative, tier 16's condition (each word aligned) is tier 64's (each word as
# typed or through a synonym in the name), as the ranking says. The kind is the code's first
# digit (graph.codes: 1 base, 2 theme, 3 department).
_SCORE = fill(
    """((
  (CASE WHEN s_name = $plan.whole THEN 128 ELSE 0 END)
  + (CASE WHEN {literal_in_name} THEN 64 ELSE 0 END)
  + (CASE WHEN s_name CONTAINS $plan.whole THEN 36
          WHEN r.search_body CONTAINS $plan.whole THEN 4 ELSE 0 END)
  + (CASE WHEN {aligned} THEN 16 ELSE 0 END)
  + (CASE WHEN {in_name} THEN 8 ELSE 0 END)
  + (CASE WHEN all(w IN $plan.words WHERE s_words CONTAINS w) THEN 2 ELSE 0 END)
) * 3 + (CASE left(s_code, 1) WHEN '1' THEN 2 WHEN '2' THEN 1 ELSE 0 END) + 1
  + s_requested * 1.0 / (s_requested + 1))""",
    literal_in_name=fill(
        _EVERY_GROUP,
        alternative="a.literal AND " + fill(_EVERY_PHRASE, phrase="s_name CONTAINS p.text"),
    ),
    aligned=fill(
        _EVERY_GROUP,
        alternative="CASE WHEN a.literal THEN "
        + fill(_EVERY_PHRASE, phrase="s_name CONTAINS p.text")
        + " ELSE r.search_runs CONTAINS a.spelled END",
    ),
    in_name=fill(
        _EVERY_GROUP,
        alternative=fill(_EVERY_PHRASE, phrase=fill(_PHRASE_FOUND, text="s_name CONTAINS p.text")),
    ),
)

# The tiers' conditions, over ``r``. Found, but not in the name (nor its pinyin or initials):
_FOUND_IN_NAME = fill(
    _EVERY_GROUP,
    alternative=fill(
        _EVERY_PHRASE, phrase=fill(_PHRASE_FOUND, text="r.search_name CONTAINS p.text")
    ),
)
_FOUND = fill(
    _EVERY_GROUP,
    alternative=fill(
        _EVERY_PHRASE,
        phrase=fill(
            _PHRASE_FOUND,
            text="(r.search_name CONTAINS p.text OR r.search_body CONTAINS p.text)",
        ),
    ),
)
WHERE_FOUND_ELSEWHERE = "(" + _FOUND + " AND NOT " + _FOUND_IN_NAME + ")"
# …with the words as typed in a row in the body, or not;
_IN_BODY_AS_TYPED = "r.search_body CONTAINS $plan.whole"
WHERE_FOUND_ELSEWHERE_AS_TYPED = WHERE_FOUND_ELSEWHERE + " AND " + _IN_BODY_AS_TYPED
WHERE_FOUND_ELSEWHERE_OTHERWISE = WHERE_FOUND_ELSEWHERE + " AND NOT " + _IN_BODY_AS_TYPED
# of a one-word search, the word in the name as a whole word of it (not the whole name), or
# not as a whole word.
_IN_NAME_AS = (
    "r.search_name CONTAINS $plan.whole AND {no}r.search_words CONTAINS $plan.words[0] "
    "AND r.search_name <> $plan.whole"
)
WHERE_IN_NAME_AS_A_WORD = fill(_IN_NAME_AS, no="")
WHERE_IN_NAME_INSIDE_A_WORD = fill(_IN_NAME_AS, no="NOT ")
# of a one-word search with synonyms, a synonym in the name and not the word, with the word
# in the body or not.
_BY_SYNONYM = "NOT r.search_name CONTAINS $plan.whole AND " + _FOUND_IN_NAME
WHERE_BY_SYNONYM_AS_TYPED = _BY_SYNONYM + " AND " + _IN_BODY_AS_TYPED
WHERE_BY_SYNONYM_OTHERWISE = _BY_SYNONYM + " AND NOT " + _IN_BODY_AS_TYPED
# Which of them an entry is in, by $tier_of (graph.neo4j.search numbers them so): one text
# of each tier statement for every tier.
_IN_TIER = fill(
    """CASE $tier_of WHEN 1 THEN {as_a_word} WHEN 2 THEN {inside_a_word}
  WHEN 3 THEN {elsewhere} WHEN 4 THEN {as_typed} WHEN 6 THEN {synonym_as_typed}
  WHEN 7 THEN {synonym_otherwise} ELSE {otherwise} END""",
    as_a_word=WHERE_IN_NAME_AS_A_WORD,
    inside_a_word=WHERE_IN_NAME_INSIDE_A_WORD,
    elsewhere=WHERE_FOUND_ELSEWHERE,
    as_typed=WHERE_FOUND_ELSEWHERE_AS_TYPED,
    synonym_as_typed=WHERE_BY_SYNONYM_AS_TYPED,
    synonym_otherwise=WHERE_BY_SYNONYM_OTHERWISE,
    otherwise=WHERE_FOUND_ELSEWHERE_OTHERWISE,
)


# The count of $query's hits, up to $counted (graph.queries.MAX_COUNTED + 1: more is told as
# "at least"): each hit costs a row, and a word of one character has tens of thousands.
def _counted(query: str, most: str) -> str:
    """The lines of a subquery counting the hits of the Lucene query `query` (a parameter)
    under {where}, up to `most`, unnamed: the caller names the count."""
    return f"""
  CALL db.index.fulltext.queryNodes('resource_fulltext', {query}) YIELD node AS r
  WHERE {{where}}
  WITH r
  LIMIT {most}
  RETURN count(r)"""


_COUNTED = _counted("$query", "$counted")

SEARCH_COUNT = _COUNTED + " AS total\n"

# The best $limit hits by score, then code: the short properties read once per hit, the
# snapshot only for the page; the count of requests only of the few entries requested
# (``asked``, from the index on ``requested``): reading a property each hit lacks costs as
# much as reading one it has.
_TOP_K = fill(
    """
WHERE {where}
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     CASE WHEN r IN asked THEN r.requested ELSE 0 END AS s_requested
WITH r, s_code, {score} AS score
WHERE {after}
WITH r, s_code, score
ORDER BY score DESC, s_code
LIMIT $limit
""",
    score=_SCORE,
)

# The ranked page of $ranked's hits and the count of $query's (up to $counted), in one round
# trip. Where the page is full, $query's hits are counted; where it is short, the tiers below
# it are to be read and their counts say how: $named's hits (the name hits, up to $counted),
# $rest's (the others, up to $common: graph.neo4j.search reads a tier that common along the
# code index, its exact count unneeded) and $in_body's (the first tier of the others, up to
# $common) are counted instead, and the total is the first two's — every hit counted once.
SEARCH_COUNTED_PAGE = (
    """
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
CALL () {
  MATCH (q:Resource)
  WHERE q.requested > 0
  RETURN collect(q) AS asked
}
CALL (asked) {
  CALL db.index.fulltext.queryNodes('resource_fulltext', $ranked) YIELD node AS r"""
    + _TOP_K
    + """  RETURN collect([r.snapshot, score]) AS page
}
CALL (page) {
  WITH page
  WHERE size(page) >= $limit"""
    + _COUNTED
    + """ AS total
}
CALL (page) {
  WITH page
  WHERE size(page) < $limit"""
    + _counted("$named", "$counted")
    + """ AS named
}
CALL (page) {
  WITH page
  WHERE size(page) < $limit"""
    + _counted("$rest", "$common")
    + """ AS rest
}
CALL (page) {
  WITH page
  WHERE size(page) < $limit"""
    + _counted("$in_body", "$common")
    + """ AS in_body
}
RETURN CASE WHEN size(page) < $limit THEN named + rest ELSE total END AS total, rest,
       in_body, nodes, page
"""
)

# A tier of a search of one word (graph.neo4j.search), whose entries score alike but for
# their kind and requests: those requested (in the tier: `_IN_TIER`), found through
# the index on ``requested`` (few) and ranked; and the first $limit of the others in code
# order from {start} among the hits of {tier} — and as many more as may be dropped after (the
# requested ones, {exact_count} entries named exactly the word, the cursor's own entry) —
# then ranked. The order of the code is the order of the kind (its first digit), so the page
# is the best of the two. The first by code are found reading the code index from {start},
# keeping the hits, for at most $walked entries (no property of a hit read: a hit's code
# costs a read, an entry of the index a fraction of one), up to $limit + $spare of them; where
# The word tier of a one-word search (`SEARCH_TIERS`) takes at most this many of its Lucene
# hits, the best by Lucene's score (which Lucene finds without scoring every hit); a tier that
# has as many is common (``hits`` -1, no row), and graph.neo4j.search reads it along the code
# index (`SEARCH_WALK`) instead: sorting its hits by code costs a property read each (年度 at
# 1M: 149,472 hits, 0.5–2 s), where a walk reads about nodes / hits entries for each entry of
# the page. The bound is about where the two cost the same.
_WORD_CAP = "(toInteger(sqrt(2.0 * ($limit + 1) * nodes)) + $spare)"

# that falls short of those wanted, by reading every hit's code. ``hits``: how many hits
# {tier} has, or -1 where {common} (no row then); {options}: the Lucene query's options.
# {imports}: the variables the second subquery takes.
_TIER = fill(
    """
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
  CALL db.index.fulltext.queryNodes('resource_fulltext', {tier}{options}) YIELD node AS r
  WITH collect(r) AS found
  CALL (found) {
    UNWIND found AS r
    WITH r
    WHERE {where}
    RETURN collect(r) AS hits
  }
  WITH hits, {common} AS common, {imports}
  CALL (hits) {
    MATCH (r:Resource)
    USING INDEX r:Resource(code)
    WHERE r.code >= {start}
    WITH r
    ORDER BY r.code
    LIMIT $walked
    WITH r
    WHERE r IN hits
    WITH r
    LIMIT $limit + $spare
    RETURN collect(r) AS walked
  }
  WITH hits, common, walked, $limit + {exact_count} + asked + 1 AS wanted, {imports}
  CALL (hits, common, walked, wanted) {
    WITH hits, walked, wanted
    WHERE size(walked) < wanted AND NOT common
    UNWIND hits AS r
    WITH r, r.code AS s_code
    WHERE s_code >= {start}
    WITH r, s_code
    ORDER BY s_code
    RETURN collect(r) AS sorted
  }
  WITH hits, common, {imports},
       CASE WHEN common THEN [] WHEN size(walked) < wanted THEN sorted ELSE walked END AS ordered
  CALL (ordered, {imports}) {
    UNWIND ordered[..$limit + {exact_count} + asked + 1] AS r
    WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
         coalesce(r.requested, 0) AS s_requested
    WHERE s_requested = 0 AND s_name <> $plan.whole
    WITH r, s_code, {score} AS score
    WHERE {after}
    WITH r, s_code, score
    LIMIT $limit
    RETURN collect([r.snapshot, score, s_code]) AS rows
  }
  RETURN rows, CASE WHEN common THEN -1 ELSE size(hits) END AS hits, size(hits) AS kept
}
""",
    score=_SCORE,
    member=_IN_TIER,
)

SEARCH_TIER = fill(
    _TIER + "RETURN asked_rows + rows AS rows\n",
    tier="$tier",
    options="",
    common="false",
    start="$from_code",
    exact_count="$exact_count",
    imports="asked",
)
# …and of a tier whose hits were not counted: at most $cap of them taken, the best by
# Lucene's score; where it has as many, it is common (``hits`` -1, no row: graph.neo4j.search
# reads it along the code index). One round trip where a count and then the tier took two.
SEARCH_TIER_CAPPED = fill(
    _TIER + "RETURN CASE WHEN hits < 0 THEN [] ELSE asked_rows + rows END AS rows, hits\n",
    tier="$tier",
    options=", {limit: $cap}",
    common="size(found) >= $cap",
    start="$from_code",
    exact_count="$exact_count",
    imports="asked",
)

# A search of one word, its first round trip: the count of every Resource node; the entries
# named exactly the word ($plan.whole, sought in the
# index on ``search_name``: how many, and the best $limit); the tier below them, the word a
# whole word of the name, as `SEARCH_TIER` reads it ($tier from $from_code, $tier_of 1;
# ``word_hits``), unless it is common (`_WORD_CAP`: ``word_hits`` -1, read next along the code
# index); only where these leave the page short and the word tier was read, the count of the
# next tier's hits ($name_tier, the other name hits: 0 where not counted; up to $common, as
# every tier's count), which says how to read it; and the count of the search's hits ($query,
# up to $counted) — unless the two name tiers' reach it: Lucene scores every hit of a phrase
# before it yields one, and the search's phrase over the body too costs 35–60 ms at 1M entries
# for a common word (年度: 14 ms for its term in ``search_words``). The body hits are
# counted by graph.neo4j.search where the name hits leave the page short.
SEARCH_TIERS = (
    """
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
CALL () {
  MATCH (r:Resource)
  WHERE r.search_name = $plan.whole AND {where}
  WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
       coalesce(r.requested, 0) AS s_requested
  WITH r, s_code, {score} AS score
  ORDER BY score DESC, s_code
  RETURN count(r) AS exact_count,
         collect(CASE WHEN {after} THEN [r.snapshot, score, s_code] END)[..$limit] AS exact_rows
}
CALL (exact_count, nodes) {
  {word_tier}
  RETURN CASE WHEN hits < 0 THEN [] ELSE asked_rows + rows END AS word_rows, hits AS word_hits,
         kept AS word_kept
}
WITH nodes, exact_count, exact_rows + word_rows AS rows, word_hits, word_kept
CALL (rows, word_hits) {
  WITH rows
  WHERE size(rows) < $limit AND word_hits >= 0"""
    + _counted("$name_tier", "$common")
    + """ AS name_hits
}
CALL (word_kept, name_hits) {
  WITH word_kept, name_hits
  WHERE word_kept + name_hits < $counted"""
    + _COUNTED
    + """ AS counted
}
RETURN CASE WHEN word_kept + name_hits >= $counted THEN $counted ELSE counted END AS total,
       nodes, exact_count, rows, word_hits, name_hits
"""
)
SEARCH_TIERS = fill(
    SEARCH_TIERS,
    score=_SCORE,
    word_tier=fill(
        _TIER,
        tier="$tier",
        options=", {limit: " + _WORD_CAP + "}",
        common="size(found) >= " + _WORD_CAP,
        start="$from_code",
        exact_count="exact_count",
        imports="asked, exact_count, nodes",
    ),
)

# Where every hit left to rank scores alike but for its kind and requests (graph.neo4j.search:
# a word found in the body only), the order is the code's: the entries never requested are
# read along the code index from $from_code (the ORDER BY right after the MATCH is the index's
# own order, kept through what follows), tested as they come (`_IN_TIER`), until a
# page is full — few nodes when such hits are common — or $budget nodes were read.
SEARCH_WALK = fill(
    """
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
""",
    score=_SCORE,
    member=_IN_TIER,
)

# …and those requested, found through the index on ``requested`` (few).
SEARCH_REQUESTED = fill(
    """
MATCH (r:Resource)
WHERE r.requested > 0 AND {where} AND {member}
WITH r, r.code AS s_code, r.search_name AS s_name, r.search_words AS s_words,
     r.requested AS s_requested
WITH r, s_code, {score} AS score
WHERE {after}
RETURN r.snapshot AS snapshot, score, s_code AS code
""",
    score=_SCORE,
    member=_IN_TIER,
)
