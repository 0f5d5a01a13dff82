"""The Neo4j store asks every search through the same few statements (graph.neo4j.search):
the plan is a parameter, never part of the text, so the server plans each statement once.

Defect class: a statement whose text carries the search's shape (its groups, alternatives,
fields) — each new shape is planned on first use, 0.3–1.5 s on a loaded server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from graph.neo4j.search import ranked_page
from graph.search import Searcher

# Searches of every class of the judged set: one character, several words, a synonym, Latin
# letters (pinyin, initials, a word of their own), quoted text, traditional and full-width.
SEARCHES = [
    "人",
    "税",
    "人口 信息",
    "户籍人口",
    "API",
    "RESTful接口",
    "jdc",
    "renkou",
    "kunming jiaotong",
    '"成都市机动车"',
    "戶籍",
    "ＪＳＯＮ",
    "oracle 成都 户籍",
]


class _Result:
    def __init__(self) -> None:
        # Nothing found: every count 0, every page empty (the first statement is the last).
        self._records = [
            {
                "total": 0,
                "nodes": 100,
                "rest": 0,
                "in_body": 0,
                "page": [],
                "exact_count": 0,
                "rows": [],
                "word_hits": 0,
                "name_hits": 0,
                "body_hits": 0,
            }
        ]

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        for record in self._records:
            yield record


class _RecordingTransaction:
    """Answers each statement with nothing found, keeping what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def run(self, query: str, params: dict[str, Any]) -> _Result:
        self.asked.append((query, params))
        return _Result()


@pytest.mark.parametrize("where", ["true", "r:Published"])
async def test_every_search_is_asked_through_two_statement_texts(where: str) -> None:
    searcher = Searcher.shipped()
    tx = _RecordingTransaction()
    for search in SEARCHES:
        plan = searcher.read(search)
        assert plan is not None
        await ranked_page(cast(Any, tx), plan, where, {}, 21, None)
    texts = {query for query, _params in tx.asked}
    assert len(tx.asked) == len(SEARCHES)
    assert len(texts) == 2  # a search of one word looked for as typed, and every other
    for query, params in tx.asked:
        assert "$plan" in query
        assert "plan" in params
        # Every Lucene query of one size class of Neo4j's plan cache (at least 1,000 long).
        assert len(params["query"]) >= 1000
    for search in SEARCHES:
        assert not any(search.strip('"') in text for text in texts)
