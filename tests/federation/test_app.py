"""The instance's web app: /health, /metrics, GraphiQL, the development identity switch, and
one lifespan that opens and closes the store."""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from federation.api.schema import build_schema
from federation.app import CatalogGraphQL, create_app
from federation.instance import Instance, open_instance
from federation.settings import Neo4jSettings, Settings
from federation.topology import parse_topology
from graph import CatalogStore, StoreUnavailable
from graph.embedded import EmbeddedStore
from tests.federation.catalog import CHENGDU, POLICE_DRAFT
from tests.federation.support import (
    GraphQLCaller,
    SpyStore,
    app_over,
    data,
    only_error,
    serve,
)
from tests.graph.entries import POLICE

# 成都 intranet alone: a topology given to the opener, not read from the settings' file.
TOPOLOGY = {
    "instances": [
        {"id": "510100/intranet", "graphql": "127.0.0.1:9003", "store": {"kind": "embedded"}}
    ]
}


async def test_health_reports_the_store_and_sync(gql: GraphQLCaller) -> None:
    response = await gql.http.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "catalog": "510100/intranet",
        "store": {"kind": "embedded", "state": "up"},
        "sync": {
            "links": [],
            "failing": [],
            "note": "sync links are not configured on this instance yet",
        },
    }


async def test_health_says_when_the_store_does_not_answer(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    spy.fail("ping", StoreUnavailable("the catalog database at /secret/path did not answer"))
    response = await gql.http.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["store"]["state"], body["store"]["error"]) == (
        "degraded",
        "down",
        "STORE_UNAVAILABLE",
    )
    assert "/secret/path" not in response.text


async def test_metrics_count_requests_latencies_and_errors(gql: GraphQLCaller) -> None:
    await gql("{ themes { name } }")
    await gql("{ resources(first: 1000) { totalCount } }")
    await gql("{ nothing }")
    text = (await gql.http.get("/metrics")).text
    assert 'mulu_http_requests_total{method="POST",path="/graphql",status="200"} 3.0' in text
    assert 'mulu_http_request_duration_seconds_count{method="POST",path="/graphql"} 3.0' in text
    assert 'mulu_graphql_errors_total{code="INVALID_VALUE"} 1.0' in text
    assert 'mulu_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1.0' in text


def _metric(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert found is not None, f"{sample} is not in /metrics"
    return float(found.group(1))


async def test_metrics_show_the_process_garbage_collections(gql: GraphQLCaller) -> None:
    full = 'mulu_gc_collections_total{generation="2"}'
    paused = 'mulu_gc_pause_seconds_sum{generation="2"}'
    before = (await gql.http.get("/metrics")).text
    gc.collect()
    after = (await gql.http.get("/metrics")).text
    assert _metric(after, full) >= _metric(before, full) + 1
    assert _metric(after, paused) > _metric(before, paused)
    assert _metric(after, 'mulu_gc_pause_max_seconds{generation="2"}') > 0
    count = _metric(after, 'mulu_gc_pause_seconds_count{generation="2"}')
    assert _metric(after, 'mulu_gc_pause_seconds_bucket{generation="2",le="+Inf"}') == count
    assert "mulu_gc_frozen_objects " in after


async def test_unknown_paths_share_one_metric_label(gql: GraphQLCaller) -> None:
    for path in ("/a", "/b", "/c"):
        assert (await gql.http.get(path)).status_code == 404
    text = (await gql.http.get("/metrics")).text
    assert 'mulu_http_requests_total{method="GET",path="other",status="404"} 3.0' in text


async def test_graphiql_is_served_to_a_browser(gql: GraphQLCaller) -> None:
    response = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_queries_also_come_by_get(gql: GraphQLCaller) -> None:
    response = await gql.http.get("/graphql", params={"query": "{ themes { name } }"})
    assert len(response.json()["data"]["themes"]) == 12


async def test_without_the_dev_setting_every_caller_is_anonymous(
    spy: SpyStore, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)  # dev_identity_header is off by default
    assert settings.dev_identity_header is False
    async with serve(app_over(settings, spy)) as http:
        gql = GraphQLCaller(http)
        detail = f'{{ resource(code: "{POLICE_DRAFT}") {{ name }} }}'
        assert data(await gql(detail, department=POLICE.code))["resource"] is None
        submit = f'mutation {{ submit(code: "{POLICE_DRAFT}") {{ state }} }}'
        error = only_error(await gql(submit, department=POLICE.code))
        assert error["extensions"] == {"code": "NOT_PERMITTED"}
        # Even a malformed header is ignored rather than trusted or refused.
        assert data(await gql("{ themes { name } }", department="nonsense"))["themes"]


async def test_the_lifespan_opens_and_closes_the_store(tmp_path: Path) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def tracked() -> AsyncIterator[CatalogStore]:
        async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU) as store:
            events.append("opened")
            yield store
        events.append("closed")

    async def prepare(store: CatalogStore) -> None:
        events.append("prepared")

    settings = Settings(data_dir=tmp_path)
    app = create_app(settings, lambda: open_instance(settings, store=tracked, prepare=prepare))
    async with serve(app) as http:
        assert (await http.get("/health")).status_code == 200
        # The instance's own catalog is registered on start.
        catalog = data(await GraphQLCaller(http)('{ catalog(id: "510100/intranet") { name } }'))
        assert catalog["catalog"] == {"name": CHENGDU.name}
        assert events == ["opened", "prepared"]
    assert events == ["opened", "prepared", "closed"]


async def test_creating_the_app_opens_nothing_its_lifespan_opens_the_instance(
    tmp_path: Path,
) -> None:
    """Defect class: an app that opens or reads at construction (its peers were read from the
    topology file by `create_app`) — like starlette's, it is built from what it is given."""
    settings = Settings(data_dir=tmp_path, topology=tmp_path / "not-yet-written.toml")
    opened: list[Settings] = []

    @asynccontextmanager
    async def counted() -> AsyncIterator[Instance]:
        opened.append(settings)
        async with open_instance(settings, topology=parse_topology(TOPOLOGY)) as instance:
            yield instance

    app = create_app(settings, counted)
    assert opened == []
    assert not (tmp_path / "510100-intranet.db").exists()
    async with serve(app) as http:
        assert opened == [settings]
        assert (await http.get("/health")).json()["status"] == "ok"
    assert (tmp_path / "510100-intranet.db").is_file()


async def test_the_default_store_is_embedded_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", catalog_name="成都测试目录")
    async with serve(create_app(settings)) as http:
        answer = await GraphQLCaller(http)("{ catalogs { id name } }")
        assert data(answer)["catalogs"] == [{"id": "510100/intranet", "name": "成都测试目录"}]
    assert (tmp_path / "var" / "510100-intranet.db").is_file()


@pytest.mark.neo4j
async def test_a_neo4j_instance_comes_from_the_settings(neo4j_server: Any, tmp_path: Path) -> None:
    neo4j = Neo4jSettings(
        uri=neo4j_server.uri, user=neo4j_server.user, password=SecretStr(neo4j_server.password)
    )
    settings = Settings(store="neo4j", neo4j=neo4j, data_dir=tmp_path)
    async with serve(create_app(settings)) as http:
        health = (await http.get("/health")).json()
        assert health["store"] == {"kind": "neo4j", "state": "up"}
        answer = await GraphQLCaller(http)('{ catalog(id: "510100/intranet") { id } }')
        assert data(answer)["catalog"] == {"id": "510100/intranet"}


async def test_answers_carry_chinese_as_utf8_text(gql: GraphQLCaller) -> None:
    """Names travel as UTF-8 characters, readable with curl, not as \\uXXXX escapes."""
    response = await gql.http.post(
        "/graphql", json={"query": '{ resource(code: "301001001/000001") { name } }'}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert "户籍人口信息".encode() in response.content
    assert b"\\u" not in response.content


def test_an_answer_orjson_refuses_is_written_by_json_as_before() -> None:
    view = CatalogGraphQL(build_schema(), max_variables_depth=10)
    assert view.encode_json({"data": {"name": "户籍人口信息"}}) == (
        '{"data":{"name":"户籍人口信息"}}'.encode()
    )
    # An integer past 64 bits (a JSON scalar could hold one): orjson refuses it, json writes it.
    assert view.encode_json({"data": {"n": 2**70, "name": "人口"}}) == (
        '{"data":{"n":1180591620717411303424,"name":"人口"}}'
    )
