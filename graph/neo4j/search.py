"""The Neo4j store's search index: a full-text index with Lucene's whitespace analyzer over
the pre-made tokens of `graph.search.text.IndexText`.

Each Resource node carries its `IndexText` as ``search_name``, ``search_body``,
``search_pinyin``, ``search_initials`` (indexed) and ``search_words`` (ranking only), and the
`graph.search.text.INDEX_VERSION` they were made with as ``search_version``; the tokens are
already folded and split, so the analyzer only splits at spaces and a query token matches a
stored one exactly when they are equal — as in the embedded store's FTS5. A `SearchPlan`
becomes a Lucene query (`lucene_query`: which entries) and a Cypher expression
(`score_expression`: `graph.search.query.ranking`, the same integer SQLite computes).

`reindex` writes the properties of every entry indexed by another version (or never, as
before this index existed): at open, in batches, idempotent.

    >>> lucene_query(Searcher.shipped().read("人口"))
    '(((search_name:"人 口" OR search_body:"人 口")))'
"""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.model import Resource
from graph.search.query import Field, SearchPlan, ranking
from graph.search.text import INDEX_VERSION, index_text
from graph.snapshot import resource_from_json

__all__ = ["lucene_query", "reindex_batch", "score_expression", "search_properties"]

REINDEX_BATCH = 2000

_FIELDS = {
    Field.TEXT: ("search_name", "search_body"),
    Field.PINYIN: ("search_pinyin",),
    Field.INITIALS: ("search_initials",),
}

_STALE = """
MATCH (r:Resource)
WHERE r.snapshot IS NOT NULL AND (r.search_version IS NULL OR r.search_version <> $version)
RETURN r.code AS code, r.snapshot AS snapshot
LIMIT $limit
"""

_SET = """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
SET r += row.props
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


def lucene_query(plan: SearchPlan) -> str:
    """A Lucene query selecting exactly the entries `plan` finds."""
    groups = []
    for group in plan.groups:
        alternatives = []
        for alt in group.alternatives:
            phrases = [
                "(" + " OR ".join(f"{f}:{_phrase(p.tokens)}" for f in _FIELDS[p.field]) + ")"
                for p in alt.phrases
            ]
            alternatives.append("(" + " AND ".join(phrases) + ")")
        groups.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups)


def score_expression(plan: SearchPlan, node: str) -> tuple[str, list[str]]:
    """`graph.search.query.ranking` over `node`'s properties, reading ``$terms``."""
    terms: list[str] = []

    def contains(field: str, tokens: tuple[str, ...], exact: bool) -> str:
        terms.append(" " + " ".join(tokens) + " ")
        operator = "=" if exact else "CONTAINS"
        return f"{node}.search_{field} {operator} $terms[{len(terms) - 1}]"

    return ranking(plan, contains, f"{node}.kind"), terms
