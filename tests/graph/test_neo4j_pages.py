"""Neo4j only: a page of a filtered list reads what the page needs, not every match.

The (state, …) indexes end in the entry's code (graph.neo4j.schema), so that a filter of one
value of one property beside its state reads its page in code order straight from the index
(`PAGE_IN_INDEX_ORDER`, no sort: it stops at the end of the page), and any other filter sorts
its matches by the codes the index gives without reading a node's; a cursor is compared, not
sought, so that a page after the first is not read along every entry of the pair after the
cursor (at 1M entries a second page of one district's unshared entries read 83,730 index
entries for its 21, 120 ms instead of 4). PROFILE of the statement the store ran shows the
first; the second's plan on a graph this small depends on the planner's statistics, so it is
shown at 1M by bench/store_bench.py, and here the pages after a cursor are checked whole.
"""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import AsyncDriver

import graph.neo4j.finding as finding
from graph import ResourceFilter, ShareType
from graph.neo4j import Neo4jStore
from tests.graph.entries import code, resource
from tests.graph.sharing_data import conditional_entry

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    return neo4j_store


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every statement `graph.neo4j.finding` runs, with its parameters (a spy)."""
    ran: list[tuple[str, dict[str, Any]]] = []
    real = finding.run

    async def spy(tx: Any, statement: str, params: dict[str, Any]) -> Any:
        ran.append((statement, dict(params)))
        return await real(tx, statement, params)

    monkeypatch.setattr(finding, "run", spy)
    return ran


def _operators(plan: Any) -> list[tuple[str, int]]:
    """(operator, rows) of every operator of a PROFILE plan."""
    found = [(plan["operatorType"].split("@")[0], int(plan.get("rows", 0)))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


async def _profile(driver: AsyncDriver, statement: str, params: dict[str, Any]) -> list[Any]:
    result = await driver.execute_query("PROFILE " + statement, params)
    return _operators(result.summary.profile)


async def _pages(store: Neo4jStore, where: ResourceFilter, size: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await store.find(where, first=size, after=after)
        seen += [e.code for e in page.items]
        if not page.has_next_page:
            return seen
        after = page.end_cursor


async def test_one_value_of_one_property_reads_its_page_in_index_order(
    store: Neo4jStore, driver: AsyncDriver, statements: list[tuple[str, dict[str, Any]]]
) -> None:
    entries = [
        conditional_entry(code(n, "101001001")) if n % 2 else resource(code(n, "101001001"))
        for n in range(1, 121)
    ]
    await store.apply(entries)
    where = ResourceFilter(share_types=frozenset({ShareType.CONDITIONAL}))
    expected = [e.code for e in entries if e.share_type is ShareType.CONDITIONAL]
    assert await _pages(store, where, 7) == expected
    first = await store.find(where, first=5)
    statements.clear()
    await store.find(where, first=5, after=first.end_cursor)
    page_statement, params = statements[-1]
    operators = await _profile(driver, page_statement, params)
    names = [name for name, _ in operators]
    assert "Sort" not in names, operators
    assert "Top" not in names, operators
    read = max(rows for name, rows in operators if name.startswith("NodeIndex"))
    # In order, it stops at the end of the page: at most the first page, the page and the one
    # entry that says another follows (the planner seeks past the cursor on a large graph).
    assert read <= 5 + 6, operators


async def test_pages_of_a_region_and_a_share_type_come_whole_after_a_cursor(
    store: Neo4jStore,
) -> None:
    """成都's few conditional entries first in code order, then many of 资阳 (510700) after:
    paged in threes, 成都's come once each. (Which index the planner takes for the page after
    the cursor depends on its statistics on a graph this small; at 1M bench/store_bench.py
    shows it.)"""
    own = [conditional_entry(code(n, "101001001")) for n in range(1, 11)]
    others = [
        conditional_entry(code(n, "101001001"), origin="510700/intranet") for n in range(11, 211)
    ]
    await store.apply(own + others)
    where = ResourceFilter(region_code="510100", share_types=frozenset({ShareType.CONDITIONAL}))
    assert await _pages(store, where, 3) == [e.code for e in own]


async def test_a_region_s_page_is_read_region_by_region_and_comes_whole(
    store: Neo4jStore, statements: list[tuple[str, dict[str, Any]]]
) -> None:
    """四川 (51) over four regions of its own and one of 重庆 (50) beside: a page of the province,
    alone or with a share type, is read by the statement that seeks each region the count found
    in code order (`PAGE_BY_REGION`), and the pages after their cursors come whole, in code
    order, each entry once. (What it reads depends on the planner's statistics on a graph this
    small — a run of the suite once saw a seek on the state alone, filtered by region, read 349
    index entries here; at 1M, PROFILE shows 168 index entries for a page of 四川's 39,100 of one
    share type: bench/README.md, "Twelfth session".)"""
    origins = ["510000/intranet", "510100/intranet", "510104/intranet", "510700/intranet"]
    entries = [
        (conditional_entry if n % 3 else resource)(
            code(n, "101001001"), origin=origins[(n * 7) % len(origins)]
        )
        for n in range(1, 161)
    ]
    beside = [
        conditional_entry(code(n, "101001001"), origin="500000/intranet") for n in range(161, 181)
    ]
    await store.apply(entries + beside)
    conditional = frozenset({ShareType.CONDITIONAL})
    for where, expected, statement in (
        (ResourceFilter(region_code="510000"), entries, finding.PAGE_BY_REGION),
        (
            ResourceFilter(region_code="510000", share_types=conditional),
            [e for e in entries if e.share_type is ShareType.CONDITIONAL],
            finding.PAGE_BY_REGION_AND_SHARE_TYPE,
        ),
    ):
        assert await _pages(store, where, 6) == sorted(e.code for e in expected), where
        first = await store.find(where, first=5)
        assert first.total_count == len(expected)
        statements.clear()
        await store.find(where, first=5, after=first.end_cursor)
        page_statement, params = statements[-1]
        assert page_statement == statement
        assert sorted(params["regions"]) == ["510000", "510100", "510104", "510700"]
