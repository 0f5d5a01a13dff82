"""The Neo4j store's search index: a full-text index with Lucene's whitespace analyzer over
the pre-made tokens of `graph.search.text.IndexText`.

Each Resource node carries its `IndexText` as ``search_name``, ``search_body``,
``search_pinyin``, ``search_initials`` (searched), ``search_words`` (indexed, for the ranking's
tiers only) and ``search_runs`` (ranking only), its count of share requests as ``requested``
(ranking only), and the `graph.search.text.INDEX_VERSION` they were made with as
``search_version``; the tokens are already folded and split, so the analyzer only splits at
spaces and a query token matches a stored one exactly when they are equal — as in the embedded
store's FTS5. A `SearchPlan` becomes a Lucene query (`lucene_query`: which entries) and the
parameter ``$plan`` (`plan_parameter`), which the statements' one ranking expression reads
(`graph.neo4j.cypher.search`: `graph.search.query.ranking`, the same number SQLite computes)
— no part of a statement's text depends on the search, so Neo4j plans each once.

`ranked_page` reads a page without ranking every hit: the entries found in their name (every
word in the name, its pinyin or initials) score at least `NAME_FLOOR` and every other hit
less (`graph.search.query`: tier 8 and what implies it), so the page is first taken from the
name hits alone (a Lucene query over the name's fields, every one ranked) and from the rest
only when the name hits run out. The rest is never ranked whole (`API`: 31,052 hits through
its synonym 接口): it falls into two tiers (`_body_tiers`), the search's words as typed in a
row in the body, then the others, each read like a tier of a one-word search (below). The
count is Lucene's hits under the filter, read without a property where the filter needs none
and only up to `graph.queries.MAX_COUNTED` + 1 (人 has 55,454: counting them all was most of
its time); a tier's count, which says how to read it, stops at `COMMON`.

A search of one word, looked for as typed or through synonyms of one phrase each (人, 税,
年度; 信息 and 资讯), is read a tier at a time instead (`_tiered_page`), for its name hits may be
hundreds of thousands: the entries named exactly the word (sought in the index on
``search_name``), then those having it as a whole word of the name (Lucene: ``search_words``;
where they are common, along the code index), then the other name hits, then those having a
synonym in the name and not the word, then the body hits.
Below the first, each tier's entries score alike but for the kind and the requests, so its
page is the first entries in code order (the code's first digit is the kind) merged with the
few requested ones: read along the code index where its hits are common enough, else the
first by code among its Lucene hits, reading no property of the others but the code.

`reindex_batch` writes the properties of every entry indexed by another version (or never, as
before this index existed): at open, in batches, idempotent. Finding them reads every entry (26
s at 1M entries on a cold page cache), so a database whose entries were all brought to this
version says so (an ``Upgrade`` node named `SEARCH_TEXT_CURRENT`, the markers of other versions
removed) and is not read again at the next open — every write of this version sets its own.

    >>> lucene_query(Searcher.shipped().read("人口"))
    '(((search_name:"人 口" OR search_body:"人 口")))'
"""

from __future__ import annotations

from math import isqrt
from typing import Any

from neo4j import AsyncManagedTransaction

from graph.model import Resource
from graph.neo4j.cypher import fill
from graph.neo4j.cypher.finding import WHERE_AFTER_SCORE
from graph.neo4j.cypher.search import (
    SEARCH_COUNT,
    SEARCH_COUNTED_PAGE,
    SEARCH_REQUESTED,
    SEARCH_TIER,
    SEARCH_TIER_CAPPED,
    SEARCH_TIERS,
    SEARCH_WALK,
)
from graph.neo4j.cypher.writes import requested
from graph.neo4j.statements import run
from graph.queries import MAX_COUNTED
from graph.search.query import Field, SearchPlan
from graph.search.text import INDEX_VERSION, RUN_MARK, index_text
from graph.snapshot import resource_from_json

__all__ = [
    "CATALOG_WORDS",
    "MARK_SEARCH_TEXT_CURRENT",
    "NAME_FLOOR",
    "SEARCH_TEXT_CURRENT",
    "lucene_query",
    "plan_parameter",
    "ranked_page",
    "reindex_batch",
    "search_properties",
]

REINDEX_BATCH = 2000

# The upgrade marker of a database every entry of which is indexed by this version.
SEARCH_TEXT_CURRENT = f"search_text:{INDEX_VERSION}"
MARK_SEARCH_TEXT_CURRENT = """
OPTIONAL MATCH (old:Upgrade) WHERE old.name STARTS WITH 'search_text:' AND old.name <> $name
DELETE old
WITH count(*) AS removed
MERGE (:Upgrade {name: $name})
"""

_FIELDS = {
    Field.TEXT: ("search_name", "search_body"),
    Field.PINYIN: ("search_pinyin",),
    Field.INITIALS: ("search_initials",),
}
_NAME_FIELDS = {**_FIELDS, Field.TEXT: ("search_name",)}

# The least score of an entry every word of the search is found in the name of (tier 8 of
# graph.search.query.ranking, the kind 0): 8 × 3 + 1. Any other hit scores at most 15.99….
NAME_FLOOR = 25
# A Lucene query no entry matches.
_NOTHING = "search_name:_"  # folded text holds no underscore
# A search's hits are counted up to this many (graph.queries.counted_total reads the count).
_COUNTED = MAX_COUNTED + 1
# A tier's hits, which say how to read it, are counted up to this many: a tier this common is
# read along the code index (`_tier_page`), however many more it has.
COMMON = 10_000

_STALE = """
MATCH (r:Resource)
WHERE r.snapshot IS NOT NULL AND (r.search_version IS NULL OR r.search_version <> $version)
RETURN r.code AS code, r.snapshot AS snapshot
LIMIT $limit
"""

# The count of share requests too (``requested``, graph.neo4j.cypher.writes): a store written
# before it was kept gets it here.
_SET = fill(
    """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
SET r += row.props
SET r.requested = {requested}
""",
    requested=requested("r.code"),
)


# The names of the departments and data items the store holds (at most $limit of each): what
# its searcher learns when it opens (graph.search.Searcher).
CATALOG_WORDS = """
CALL () {
  MATCH (d:Department)
  RETURN d.name AS name
  LIMIT $limit
  UNION
  MATCH (i:DataItem)
  WITH DISTINCT i.name AS name
  RETURN name
  LIMIT $limit
}
RETURN collect(name) AS names
"""


def search_properties(entry: Resource) -> dict[str, Any]:
    """The search properties of `entry`'s node."""
    text = index_text(entry)
    return {
        "search_name": text.name,
        "search_body": text.body,
        "search_pinyin": text.pinyin,
        "search_initials": text.initials,
        "search_words": text.words,
        "search_runs": text.runs,
        "search_version": INDEX_VERSION,
    }


async def reindex_batch(tx: AsyncManagedTransaction) -> int:
    """Index up to `REINDEX_BATCH` entries indexed by another version; how many it did."""
    result = await tx.run(_STALE, version=INDEX_VERSION, limit=REINDEX_BATCH)
    rows = [
        {"code": r["code"], "props": search_properties(resource_from_json(r["snapshot"]))}
        async for r in result
    ]
    if rows:
        await (await tx.run(_SET, rows=rows)).consume()
    return len(rows)


def _phrase(tokens: tuple[str, ...]) -> str:
    # Tokens are letters and digits only (graph.search.text.tokens): nothing to escape.
    return '"' + " ".join(tokens) + '"'


# Neo4j plans a statement again for a string parameter of another order of length (under
# 100 characters, under 1,000, …: its cache key holds a size class of each): every Lucene query
# is padded with spaces, which Lucene ignores, to at least this many characters, so that one
# plan serves nearly every search.
_QUERY_LENGTH = 1000


def _sized(query: str) -> str:
    """`query` padded to `_QUERY_LENGTH` characters (the plan's size class)."""
    return query.ljust(_QUERY_LENGTH)


def lucene_query(plan: SearchPlan, name_only: bool = False) -> str:
    """A Lucene query selecting exactly the entries `plan` finds (`name_only`: those it finds
    in the name, its pinyin or initials)."""
    fields = _NAME_FIELDS if name_only else _FIELDS
    groups = []
    for group in plan.groups:
        alternatives = []
        for alt in group.alternatives:
            phrases = [
                "(" + " OR ".join(f"{f}:{_phrase(p.tokens)}" for f in fields[p.field]) + ")"
                for p in alt.phrases
            ]
            alternatives.append("(" + " AND ".join(phrases) + ")")
        groups.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups)


def _padded(tokens: tuple[str, ...]) -> str:
    return " " + " ".join(tokens) + " "


def plan_parameter(plan: SearchPlan) -> dict[str, Any]:
    """`plan` as the ``$plan`` that `graph.neo4j.cypher.search.SCORE` and the tiers'
    conditions read: its groups of alternatives of phrases (each a field and its padded
    tokens; a pinyin or initials alternative with the run it spells, ``~jdc``), the words as
    typed in a row (``whole``) and each word as typed run together (``words``)."""
    return {
        "groups": [
            [
                {
                    "literal": alternative.literal,
                    "phrases": [
                        {"field": p.field.value, "text": _padded(p.tokens)}
                        for p in alternative.phrases
                    ],
                    "spelled": _padded(
                        (RUN_MARK + "".join(t for p in alternative.phrases for t in p.tokens),)
                    ),
                }
                for alternative in group.alternatives
            ]
            for group in plan.groups
        ],
        "whole": _padded(plan.whole),
        "words": [_padded(("".join(group.typed),)) for group in plan.groups],
    }


def _alike(plan: SearchPlan) -> bool:
    """Whether every hit not found in its name scores alike but for its kind and requests:
    one word, looked for as typed only (tier 4, the words in a row, holds for each)."""
    if len(plan.groups) != 1:
        return False
    literal = [a for a in plan.groups[0].alternatives if a.literal]
    return len(literal) == 1 and len(literal[0].phrases) == 1


def _one_word(plan: SearchPlan) -> tuple[str, ...] | None:
    """The tokens of `plan`'s one word when it is looked for as typed or through synonyms of
    one phrase each (no pinyin or initials): the search whose hits fall into the alike tiers of
    `_tiered_page`."""
    if len(plan.groups) != 1:
        return None
    alternatives = plan.groups[0].alternatives
    if not all(a.literal and len(a.phrases) == 1 for a in alternatives):
        return None
    return alternatives[0].phrases[0].tokens


# The tiers of a one-word search, best first, by the sum of the ranking's tiers
# (graph.search.query.ranking) their entries score: named exactly the word (sought); the word
# in the name as a whole word of it (`_WORD`); in the name, not as a whole word (`_NAME`); a
# synonym in the name and not the word, the word in the body or not (`_SYNONYM` + 4 or 0);
# not in the name (`_BODY`: in the summary, items, provider or format only, the word as typed
# or, with synonyms, a synonym only: 0). The entries of each tier below the first score alike
# but for the kind and the requests — 3 × the sum + 1 up to under + 4, never reaching the
# tier above — so that where a tier's hits are common, its page is read along the code index.
_WORD = 64 + 16 + 32 + 4 + 8 + 2
_NAME = 64 + 16 + 32 + 4 + 8
_SYNONYM = 64 + 16 + 8
_BODY = 4
# The tiers' conditions, as ``$tier_of`` names them (graph.neo4j.cypher.search: WHERE_…):
# the word a whole word of the name, inside a word of it; found elsewhere only, with the
# words as typed in a row or not; a synonym in the name, the word in the body or not.
_AS_A_WORD, _INSIDE_A_WORD, _ELSEWHERE, _ELSEWHERE_AS_TYPED, _ELSEWHERE_OTHERWISE = 1, 2, 3, 4, 5
_BY_SYNONYM_AS_TYPED, _BY_SYNONYM_OTHERWISE = 6, 7
# A walk reads at most this many times the nodes it would read if the tier's hits were
# spread evenly along the code index, and is tried only where that is at most 1 / this many
# of the hits ranking them would read.
WALK_SLACK = 4
# A tier's first hits by code are sought along the code index for at most this many entries
# of it per hit (an entry read costs about a third of a hit's code), up to `_SPARE` more than
# the page: past either, every hit's code is read (`graph.neo4j.cypher.search.SEARCH_TIER`).
# The hits of a word lie together in code order: the first 21 of 路's 5,425 hits inside a
# word of the name end 9,757 entries in, 学's 3,812 598 in, 车's 3,531 28,304 in.
INDEX_PER_HIT = 3
_SPARE = 64


def _body_tiers(plan: SearchPlan, everything: str, named: str) -> list[tuple[int, str, int]]:
    """The tiers of the hits not found in the name, as `_tier_page` reads them: those holding
    the search's words as typed in a row (`_BODY`), then the others (found through a synonym
    or in words apart: the ranking's sum 0). Each scores alike but for its kind and requests
    — no tier but 4 can hold for an entry whose name has none of the words. A search of one
    word looked for as typed only has no second tier."""
    whole = f"search_body:{_phrase(plan.whole)}"
    rest = f"({everything}) AND NOT ({named})"
    tiers = [(_ELSEWHERE_AS_TYPED, f"({rest}) AND {whole}", _BODY)]
    if not _alike(plan):
        tiers.append((_ELSEWHERE_OTHERWISE, f"({rest}) AND NOT {whole}", 0))
    return tiers


def _walk_from(after: tuple[str, float] | None, least: int) -> str | None:
    """Where a walk along the code index starts for a tier whose scores are at least `least`
    and under `least` + 3 (None: every entry of it comes before the cursor)."""
    if after is None or after[1] >= least + 3:
        return ""
    if after[1] < least:
        return None
    # An entry never requested scores a whole number: those of its score after it come after
    # it in code order too; past a requested one, every entry of its kind (its code's first
    # digit) not requested comes after it.
    return after[0] if after[1] == int(after[1]) else after[0][:1]


def _best(rows: list[Any], need: int) -> list[tuple[str, float]]:
    """The first `need` of (snapshot, score, code) rows by score, then code."""
    best = sorted(rows, key=lambda r: (-float(r[1]), r[2]))[:need]
    return [(str(r[0]), float(r[1])) for r in best]


def _break_even(limit: int, nodes: int) -> int:
    """How many hits a tier holds where walking the code index for a page of `limit` costs
    about what sorting them by code does — what graph.neo4j.cypher.search._WORD_CAP computes
    in the statement (toInteger(sqrt(…)) there, isqrt here: the same whole number)."""
    return isqrt(2 * (limit + 1) * nodes) + _SPARE


async def _tier_page(
    tx: AsyncManagedTransaction,
    parts: dict[str, str],
    ranked: dict[str, Any],
    tier: tuple[int, str, int | None],
    nodes: int,
    start: str,
    common: bool = False,
) -> list[tuple[str, float]]:
    """The first ``ranked["limit"]`` entries of a tier of `_tiered_page` after the cursor:
    `tier` is (which it is, as ``$tier_of``; the Lucene query of its hits; how many, about —
    at least, where `common`; None: not counted)."""
    tier_of, query, count = tier
    need = int(ranked["limit"])
    ranked = dict(ranked, tier_of=tier_of)
    if count is None:
        # Its hits up to where a walk would cost as much as sorting them (as the word tier's,
        # graph.neo4j.cypher.search._WORD_CAP), read by code; more, and it is walked.
        cap = _break_even(need, nodes)
        capped = dict(ranked, tier=_sized(query), from_code=start, walked=0, spare=_SPARE, cap=cap)
        (record,) = await run(tx, fill(SEARCH_TIER_CAPPED, **parts), capped)
        if int(record["hits"]) >= 0:
            return _best(record["rows"], need)
        return await _tier_page(tx, parts, ranked, (tier_of, query, cap), nodes, start, True)
    # Along the code index where the tier's hits are common — but they may lie together, late
    # in code order: the walk gives up past `WALK_SLACK` times the nodes it would read if they
    # were spread evenly (a small share of the hits the tier's statement would read).
    budget = WALK_SLACK * (need + 1) * nodes // max(count, 1) + 1
    if common or WALK_SLACK * budget <= count or count >= COMMON:
        walked = dict(ranked, from_code=start, budget=budget)
        rows = await run(tx, fill(SEARCH_WALK, **parts), walked)
        if len(rows) == need:
            rows += await run(tx, fill(SEARCH_REQUESTED, **parts), walked)
            return _best([(r["snapshot"], r["score"], r["code"]) for r in rows], need)
    along = INDEX_PER_HIT * count if count > need else 0
    tiered = dict(ranked, tier=_sized(query), from_code=start, walked=along, spare=_SPARE)
    (record,) = await run(tx, fill(SEARCH_TIER, **parts), tiered)
    return _best(record["rows"], need)


async def _tiered_page(
    tx: AsyncManagedTransaction,
    word: tuple[str, ...],
    plan: SearchPlan,
    where: str,
    params: dict[str, Any],
    limit: int,
    after: tuple[str, float] | None,
) -> tuple[int, list[tuple[str, float]]]:
    """`ranked_page` of a one-word search, a tier at a time (`_WORD`): the entries named the
    word exactly and those having it as a whole word of the name in the first round trip
    (`graph.neo4j.cypher.search.SEARCH_TIERS`, which counts the other name hits only where
    these leave the page short), then the rest of the name hits and the body hits, each read
    along the code index where common (`SEARCH_WALK`), else by code among its Lucene hits
    (`SEARCH_TIER`), until the page is full."""
    ranked = dict(
        params,
        plan=plan_parameter(plan),
        limit=limit,
        exact_count=0,
        counted=_COUNTED,
        common=COMMON,
        walked=0,
        spare=_SPARE,
    )
    after_condition = "true"
    if after is not None:
        ranked.update(after_code=after[0], after_score=after[1])
        after_condition = WHERE_AFTER_SCORE
    everything, named = lucene_query(plan), lucene_query(plan, name_only=True)
    # The word as a whole word of the name: a term of ``search_words``, whose words are the
    # name's own tokens run together (so each is in the name as the phrase too).
    as_word = "search_words:" + _phrase(("".join(word),))
    parts = {"where": where, "after": after_condition}
    start = _walk_from(after, 3 * _WORD + 1)
    typed = "search_name:" + _phrase(word)
    in_other_words = f"{typed} AND NOT {as_word}"
    in_body = f"({everything}) AND NOT ({named})"
    synonyms = len(plan.groups[0].alternatives) > 1
    (first,) = await run(
        tx,
        fill(SEARCH_TIERS, **parts),
        ranked,
        tier_of=_AS_A_WORD,
        query=_sized(everything),
        tier=_sized(as_word if start is not None else _NOTHING),
        from_code=start or "",
        name_tier=_sized(in_other_words),
    )
    total, nodes = int(first["total"]), int(first["nodes"])
    ranked["exact_count"] = int(first["exact_count"])
    rows = _best(first["rows"], limit)
    tiers = [(_INSIDE_A_WORD, in_other_words, _NAME)]
    if synonyms:
        by_synonym, whole = f"({named}) AND NOT {typed}", f"search_body:{_phrase(word)}"
        tiers += [
            (_BY_SYNONYM_AS_TYPED, f"({by_synonym}) AND {whole}", _SYNONYM + _BODY),
            (_BY_SYNONYM_OTHERWISE, f"({by_synonym}) AND NOT {whole}", _SYNONYM),
            (_ELSEWHERE_AS_TYPED, f"({in_body}) AND {whole}", _BODY),
            (_ELSEWHERE_OTHERWISE, f"({in_body}) AND NOT {whole}", 0),
        ]
    else:
        tiers.append((_ELSEWHERE, in_body, _BODY))
    word_hits = int(first["word_hits"])
    if word_hits < 0:
        # The word tier is common (graph.neo4j.cypher.search._WORD_CAP): along the code index,
        # and the tiers below it counted only where it leaves the page short.
        cap = _break_even(limit, nodes)
        ranked["limit"] = limit - len(rows)
        word_tier = (_AS_A_WORD, as_word, cap)
        rows += await _tier_page(tx, parts, ranked, word_tier, nodes, start or "", common=True)
        # The tiers below it, counted only where it leaves the page short.
        counts: list[int | None] = [None] * len(tiers)
    elif synonyms:
        # The hits below the name tiers, where every hit was counted: none left, none read.
        name_hits = int(first["name_hits"])
        left = total - word_hits - name_hits if total < _COUNTED else None
        counts = [name_hits, *[0 if left == 0 else None for _ in tiers[1:]]]
    else:
        # The body hits: every hit but the name's where every hit was counted (the whole-word
        # ones from the cursor on: more than they are where the cursor is past some, which
        # only sways the walk's estimate), else counted where the name hits leave the page
        # short.
        name_hits = int(first["name_hits"])
        counts = [name_hits, total - word_hits - name_hits if total < _COUNTED else None]
    for (tier_of, query, sum_), count in zip(tiers, counts, strict=True):
        need = limit - len(rows)
        start = _walk_from(after, 3 * sum_ + 1)
        if need <= 0 or start is None or count == 0:
            continue
        ranked["limit"] = need
        rows += await _tier_page(tx, parts, ranked, (tier_of, query, count), nodes, start)
    return total, rows


async def _count(
    tx: AsyncManagedTransaction, where: str, params: dict[str, Any], query: str, most: int
) -> int:
    """How many of the Lucene query `query`'s hits hold under `where`, up to `most`."""
    counting = dict(params, query=_sized(query), counted=most)
    (counted,) = await run(tx, fill(SEARCH_COUNT, where=where), counting)
    return int(counted["total"])


async def ranked_page(
    tx: AsyncManagedTransaction,
    plan: SearchPlan,
    where: str,
    params: dict[str, Any],
    limit: int,
    after: tuple[str, float] | None,
) -> tuple[int, list[tuple[str, float]]]:
    """(the count of `plan`'s hits under the condition `where`, up to `MAX_COUNTED` + 1, the
    first `limit` of them after the cursor `after` as (snapshot, score)); `limit` 0 counts
    only."""
    everything = lucene_query(plan)
    if limit == 0:
        return await _count(tx, where, params, everything, _COUNTED), []
    word = _one_word(plan)
    if word is not None:
        return await _tiered_page(tx, word, plan, where, params, limit, after)
    ranked = dict(
        params,
        plan=plan_parameter(plan),
        limit=limit,
        query=_sized(everything),
        counted=_COUNTED,
        common=COMMON,
    )
    after_condition = "true"
    if after is not None:
        ranked.update(after_code=after[0], after_score=after[1])
        after_condition = WHERE_AFTER_SCORE
    named = lucene_query(plan, name_only=True)
    tiers = _body_tiers(plan, everything, named) if named != everything else []
    # The name hits first (an empty query when the cursor is past them); where they leave the
    # page short, they and the others are counted (the total is theirs), and the first tier
    # of the others where there are two.
    from_names = after is None or after[1] >= NAME_FLOOR
    (first,) = await run(
        tx,
        fill(SEARCH_COUNTED_PAGE, where=where, after=after_condition),
        ranked,
        ranked=_sized(named if from_names else _NOTHING),
        named=_sized(named),
        rest=_sized(f"({everything}) AND NOT ({named})" if tiers else _NOTHING),
        in_body=_sized(tiers[0][1] if len(tiers) > 1 else _NOTHING),
    )
    total, nodes = int(first["total"]), int(first["nodes"])
    left = int(first["rest"])
    in_body = int(first["in_body"]) if len(tiers) > 1 else left
    # Where the count of the others stopped at COMMON, the second tier holds any number.
    otherwise = left - in_body if left < COMMON else COMMON
    rows = [(str(snapshot), float(value)) for snapshot, value in first["page"]]
    parts = {"where": where, "after": after_condition}
    # No hit left is named the words exactly (SEARCH_TIER drops such entries): it is a name hit.
    ranked["exact_count"] = 0
    for (tier_of, query, sum_), count in zip(tiers, (in_body, otherwise), strict=False):
        need = limit - len(rows)
        start = _walk_from(after, 3 * sum_ + 1)
        if need <= 0 or start is None or count <= 0:
            continue
        ranked["limit"] = need
        rows += await _tier_page(tx, parts, ranked, (tier_of, query, count), nodes, start)
    return total, rows
