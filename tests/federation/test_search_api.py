"""Search through the API: highlighted fragments on each edge, "did you mean" when nothing is
found, and an operator's synonyms file read from the settings (embedded store, real app); a
search whose request runs out of time stops in Neo4j too."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from federation.instance import open_store
from federation.settings import GraphQLSettings, SearchSettings, Settings
from graph import InvalidValue, ResourceFilter
from graph.embedded import EmbeddedStore
from graph.queries import MAX_COUNTED
from graph.search import Searcher
from tests.federation.catalog import CHENGDU, seed
from tests.federation.support import GraphQLCaller, app_over, data, serve
from tests.graph.entries import code, resource

SEARCH = """query ($s: String) { resources(search: $s, first: 5) {
  totalCount didYouMean
  edges { node { name } highlights { field fragments { text matched } } } } }"""


@pytest.fixture
async def gql(tmp_path: Path) -> AsyncIterator[GraphQLCaller]:
    async with EmbeddedStore.open(tmp_path / "catalog.db", CHENGDU) as store:
        await seed(store)
        async with serve(app_over(Settings(data_dir=tmp_path), store)) as client:
            yield GraphQLCaller(client)


def marked(highlight: dict[str, object]) -> str:
    """The fragments with the matched ones in brackets: 【人口】基础信息库."""
    fragments = highlight["fragments"]
    assert isinstance(fragments, list)
    return "".join(f"【{f['text']}】" if f["matched"] else f["text"] for f in fragments)


async def test_each_edge_carries_its_name_and_summary_highlighted(gql: GraphQLCaller) -> None:
    answer = data(await gql(SEARCH, {"s": "人口 資訊庫"}))["resources"]
    assert answer["didYouMean"] is None
    first = answer["edges"][0]
    assert first["node"]["name"] == "人口基础信息库"
    by_field = {h["field"]: marked(h) for h in first["highlights"]}
    assert by_field["name"] == "【人口】基础【信息库】"
    assert "【人口】" in by_field["summary"]


async def test_a_search_finding_more_than_it_counts_says_its_total_is_a_lower_bound(
    tmp_path: Path,
) -> None:
    query = """query ($s: String) { resources(search: $s, first: 1) {
      totalCount totalIsLowerBound } }"""
    async with EmbeddedStore.open(tmp_path / "catalog.db", CHENGDU) as store:
        await store.apply(
            [
                resource(code(n), name=f"户籍台账{n}", summary="人员名单")
                for n in range(1, MAX_COUNTED + 2)
            ]
        )
        async with serve(app_over(Settings(data_dir=tmp_path), store)) as client:
            gql = GraphQLCaller(client)
            many = data(await gql(query, {"s": "台账"}))["resources"]
            assert many == {"totalCount": MAX_COUNTED, "totalIsLowerBound": True}
            few = data(await gql(query, {"s": "户籍台账1"}))["resources"]
            assert few == {"totalCount": 1, "totalIsLowerBound": False}


async def test_a_search_finding_nothing_suggests_a_near_spelling_that_finds(
    gql: GraphQLCaller,
) -> None:
    answer = data(await gql(SEARCH, {"s": "户藉人口"}))["resources"]
    assert answer["totalCount"] == 0
    assert answer["didYouMean"] == "户籍 人口"
    suggested = data(await gql(SEARCH, {"s": answer["didYouMean"]}))["resources"]
    assert suggested["totalCount"] > 0


async def test_nothing_near_suggests_nothing(gql: GraphQLCaller) -> None:
    answer = data(await gql(SEARCH, {"s": "气象卫星云图"}))["resources"]
    assert answer == {"totalCount": 0, "didYouMean": None, "edges": []}


async def test_an_operators_synonyms_file_is_read_with_the_settings(tmp_path: Path) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("# 本地用语\n蓉漂, 来蓉流动人口\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path, search=SearchSettings(synonyms_file=synonyms))
    async with open_store(settings) as store:
        await seed(store)
        page = await store.find(ResourceFilter(), search="蓉漂")
        assert [e.name for e in page.items] == ["流动人口信息"]
        assert (await store.find(ResourceFilter(), search="人口")).total_count


def test_a_synonyms_file_line_of_one_term_is_refused_naming_the_line(tmp_path: Path) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("社保, 社会保障\n蓉漂\n", encoding="utf-8")
    with pytest.raises(InvalidValue, match="line 2") as refused:
        Searcher.with_synonyms_file(synonyms)
    assert refused.value.field == "search.synonyms_file"


def test_a_missing_synonyms_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue) as refused:
        Searcher.with_synonyms_file(tmp_path / "absent.txt")
    assert refused.value.field == "search.synonyms_file"


# -- a search stopped in the database when its request times out (Neo4j) -------------------


@pytest.mark.neo4j
async def test_a_search_whose_request_times_out_stops_on_the_server(
    tmp_path: Path, neo4j_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.neo4j import Neo4jStore
    from graph.neo4j import search as searching
    from tests.graph.test_read_cancellation import gone_within, running_with, slow_cypher

    marker = f"mulu-slow-search-{uuid.uuid4().hex}"
    searches: list[str] = []
    real_run = searching.run

    async def slow_search(tx: Any, statement: str, *args: Any, **kwargs: Any) -> Any:
        # The one fault: the search statement counts to a billion first.
        if "queryNodes" in statement:
            searches.append(statement)
            statement = f"CALL () {{\n{slow_cypher(marker)}\n}}\n{statement}"
        return await real_run(tx, statement, *args, **kwargs)

    settings = Settings(data_dir=tmp_path, graphql=GraphQLSettings(timeout_seconds=1.0))
    async with Neo4jStore.open(
        neo4j_server.uri, (neo4j_server.user, neo4j_server.password), catalog=CHENGDU
    ) as store:
        await store.erase_all()
        await seed(store)
        async with serve(app_over(settings, store)) as client:
            gql = GraphQLCaller(client)
            monkeypatch.setattr(searching, "run", slow_search)
            started = time.monotonic()
            answer = await gql(SEARCH, {"s": "人口"})
            assert answer["errors"][0]["extensions"]["code"] == "TIMEOUT", answer
            # 1 s asked; the rest is a busy machine's slack (the query alone takes minutes).
            assert time.monotonic() - started < 5
            assert searches, "the search never reached the store"
            assert await gone_within(neo4j_server, marker, 5), "the search ran on on the server"
            monkeypatch.setattr(searching, "run", real_run)
        # The store answers again (asked under the default limit: planning the search's
        # statements anew may take over 1 s on a busy machine).
        async with serve(app_over(Settings(data_dir=tmp_path / "after"), store)) as client:
            answer = await GraphQLCaller(client)(SEARCH, {"s": "人口"})
            assert data(answer)["resources"]["totalCount"] > 0
    assert await running_with(neo4j_server, marker) == 0
