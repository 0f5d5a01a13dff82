"""Neo4j only: a search of one word reads its hits a tier at a time, and a common word tier
along the code index.

The entries having the word as a whole word of their name all score alike but for their kind
and requests (graph.neo4j.search), so their page is the first of them in code order. Where they
are few, the first round trip sorts them by code; where they are common
(graph.neo4j.cypher.search._WORD_CAP: about √(2 × page × entries)), reading every hit's code to
sort them is what costs — 年度 has 149,472 such hits at 1M entries, 0.5–2 s — and the page is
read along the code index instead (`SEARCH_WALK`), a few entries a hit of the page.

A word with synonyms (社保: 社会保障, 社会保险) is read so too: a synonym in the name and not the
word is a tier of its own, the word in the body or not two more (graph.neo4j.search) — at 1M
entries 信息 (its synonym 资讯) ranked every one of some 900,000 name hits, 6 s a page.

Defect class: a common tier sorted whole or every name hit ranked (slow), or a tier read out
of the reference order.
"""

from __future__ import annotations

from typing import Any

import pytest

import graph.neo4j.search as searching
from graph import ResourceFilter
from graph.neo4j import Neo4jStore
from graph.queries import MAX_COUNTED
from tests.graph import search_reference
from tests.graph.entries import code, resource

pytestmark = pytest.mark.neo4j


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """Every statement `graph.neo4j.search` runs, with its records (a spy)."""
    ran: list[tuple[str, list[Any]]] = []
    real = searching.run

    async def spy(tx: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
        records = await real(tx, statement, *args, **kwargs)
        ran.append((statement, records))
        return records

    monkeypatch.setattr(searching, "run", spy)
    return ran


# Each statement by what only it holds.
def _first(text: str) -> bool:
    return "AS word_hits" in text  # SEARCH_TIERS


def _walk(text: str) -> bool:
    return "LIMIT $budget" in text  # SEARCH_WALK


def _sorted_whole(text: str) -> bool:
    return "RETURN asked_rows + rows AS rows" in text  # SEARCH_TIER


async def _pages_of(store: Neo4jStore, search: str, entries: list[Any], pages: int) -> None:
    plan = store.searcher.read(search)
    assert plan is not None
    expected = search_reference.ranked(plan, entries, {})
    seen: list[str] = []
    after = None
    for _ in range(pages):
        page = await store.find(ResourceFilter(), search=search, first=20, after=after)
        seen += [e.code for e in page.items]
        after = page.end_cursor
    assert seen == expected[: 20 * pages]


async def test_a_common_word_tier_is_read_along_the_code_index(
    neo4j_store: Neo4jStore, statements: list[tuple[str, list[Any]]]
) -> None:
    # 300 names holding 台账 as a whole word (the cap at 300 entries: √(2 × 21 × 301) + 64
    # = 176), their codes out of the order they were written in, and one named it exactly.
    entries = [resource(code(1, "301002001"), name="台账", summary="其他")]
    entries += [
        resource(code((n * 37) % 300 + 1, "301001001"), name=f"户籍台账{n}", summary="名单")
        for n in range(300)
    ]
    await neo4j_store.apply(entries)
    await _pages_of(neo4j_store, "台账", entries, 3)
    firsts = [records for text, records in statements if _first(text)]
    assert [r[0]["word_hits"] for r in firsts] == [-1, -1, -1]
    assert [text for text, _ in statements if _walk(text)], "not read along the code index"
    assert not [text for text, _ in statements if _sorted_whole(text)], "a tier sorted whole"


async def test_a_tier_of_few_is_sorted_in_the_first_round_trip(
    neo4j_store: Neo4jStore, statements: list[tuple[str, list[Any]]]
) -> None:
    entries = [
        resource(code((n * 7) % 30 + 1, "301001001"), name=f"户籍台账{n}", summary="名单")
        for n in range(30)
    ]
    await neo4j_store.apply(entries)
    await _pages_of(neo4j_store, "台账", entries, 2)
    firsts = [records for text, records in statements if _first(text)]
    assert [r[0]["word_hits"] for r in firsts] == [30, 30]
    assert not [text for text, _ in statements if _walk(text) or _sorted_whole(text)]


async def test_a_word_with_synonyms_is_read_a_tier_at_a_time_in_the_reference_order(
    neo4j_store: Neo4jStore, statements: list[tuple[str, list[Any]]]
) -> None:
    # 社保 and its synonyms 社会保障, 社会保险 (graph.search's shipped list): the word in the
    # name, a synonym in the name with the word in the summary or not, the word or a synonym
    # in the summary only — every tier of the search, in codes out of their written order.
    names_and_summaries = [
        ("社保缴费记录", "其他"),
        ("城乡社保台账", "其他"),
        ("社会保障卡信息", "社保经办"),
        ("社会保险登记", "参保单位"),
        ("参保人员名单", "社保"),
        ("就业登记", "社会保障"),
    ]
    entries = [
        resource(code((n * 11) % 120 + 1, "301001001"), name=f"{name}{n}", summary=summary)
        for n in range(120)
        for name, summary in [names_and_summaries[n % len(names_and_summaries)]]
    ]
    await neo4j_store.apply(entries)
    await _pages_of(neo4j_store, "社保", entries, 6)
    assert [text for text, _ in statements if _first(text)], "not read a tier at a time"
    assert not [text for text, _ in statements if "AS page" in text], "every name hit ranked"


async def test_a_word_found_through_a_synonym_past_the_count_is_read_in_the_reference_order(
    neo4j_store: Neo4jStore,
) -> None:
    # More hits than a search counts, none of them holding the word as typed: every one is
    # in the tiers below the name's, which are counted only when the page reaches them.
    entries = [
        resource(code((n * 13) % (MAX_COUNTED + 30) + 1, "301001001"), name=f"社会保障卡{n}")
        for n in range(MAX_COUNTED + 30)
    ]
    await neo4j_store.apply(entries)
    page = await neo4j_store.find(ResourceFilter(), search="社保", first=0)
    assert (page.total_count, page.total_is_lower_bound) == (MAX_COUNTED, True)
    await _pages_of(neo4j_store, "社保", entries, 2)
