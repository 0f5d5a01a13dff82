"""Neo4j only: ``requested`` (how many share requests the store holds for an entry, a search's
tie-breaker) is carried only by the entries ever requested, so that the index on it holds the
few a search ranks apart (graph.neo4j.cypher.writes.requested) — with every entry at 0 in it,
Neo4j read a search's requested entries by scanning every published one (1.2 s a search at
1M entries). A store written when every entry carried it loses the zeros at open, once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncDriver

from graph import ResourceFilter
from graph.neo4j import Neo4jStore
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import code, resource
from tests.graph.sharing_data import conditional_entry
from tests.graph.test_contract_search_ranking import _request

pytestmark = pytest.mark.neo4j

_CARRIED = (
    "MATCH (r:Resource) WHERE r.requested IS NOT NULL RETURN r.code AS code, r.requested AS n"
)


@pytest.fixture
def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    return neo4j_store


async def _carried(driver: AsyncDriver) -> dict[str, int]:
    records, _, _ = await driver.execute_query(_CARRIED)
    return {r["code"]: r["n"] for r in records}


async def test_only_an_entry_ever_requested_carries_its_count(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    asked = "101001001/000010"
    await store.apply(
        [conditional_entry(asked, name="户籍人口信息"), resource(code(1)), resource(code(2))]
    )
    assert await _carried(driver) == {}
    await _request(store, asked, 0)
    await _request(store, asked, 1)
    assert await _carried(driver) == {asked: 2}
    # Written again (its properties replaced), it keeps its count; the others still none.
    await store.apply([conditional_entry(asked, name="户籍人口信息", version=2)])
    await store.apply([resource(code(1), version=2)])
    assert await _carried(driver) == {asked: 2}
    page = await store.find(ResourceFilter(), search="户籍人口")
    assert page.items[0].code == asked  # ranked first among equals by its requests


async def test_a_store_whose_entries_all_carried_a_count_loses_the_zeros_at_open_once(
    neo4j_server: Any, store: Neo4jStore, driver: AsyncDriver
) -> None:
    asked = "101001001/000010"
    await store.apply([conditional_entry(asked, name="户籍人口信息"), resource(code(1))])
    await _request(store, asked, 0)
    # As an earlier version of the store left the graph: 0 on every entry never requested,
    # and no mark of the upgrade.
    await driver.execute_query("MATCH (r:Resource) WHERE r.requested IS NULL SET r.requested = 0")
    await driver.execute_query("MATCH (u:Upgrade {name: 'sparse_requests'}) DELETE u")
    auth = (neo4j_server.user, neo4j_server.password)

    async def reopen() -> None:
        async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET):
            pass

    await asyncio.gather(reopen(), reopen())  # two at once do no harm
    assert await _carried(driver) == {asked: 1}
    records, _, _ = await driver.execute_query(
        "MATCH (u:Upgrade {name: 'sparse_requests'}) RETURN count(u) AS n"
    )
    assert records[0]["n"] == 1
    # Once marked, an opening looks no further: a zero written now stays (none is written).
    await driver.execute_query(f"MATCH (r:Resource {{code: '{code(1)}'}}) SET r.requested = 0")
    await reopen()
    assert await _carried(driver) == {asked: 1, code(1): 0}
