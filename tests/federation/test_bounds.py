"""Every input of a request is bounded before any work starts, and a malformed body is a 400.

Issue 13, defect class 3 (unbounded work per request): a 1 MB search string, 200,000
`_entities` representations, a 10 MB body, long list arguments and deeply nested variables are
each refused at once with an error naming the input, its size and the limit, without asking
the store; a slow request does not hold up the others. Defect class 4 (a non-object JSON body
was a 500 with a traceback): ``"x"``, ``null``, ``3``, ``[]`` and their kind get 400 and a
GraphQL-over-HTTP error, and nothing is logged as an error.

These run on the embedded store only: every refusal here comes before the store is asked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.api.body import json_depth
from federation.settings import GraphQLSettings, Settings
from graph import ResourceFilter
from graph.embedded import EmbeddedStore
from graph.queries import MAX_SEARCH_LENGTH, ResourcePage
from tests.federation.catalog import CHENGDU, HOUSEHOLD, seed
from tests.federation.support import GraphQLCaller, SpyStore, app_over, data, only_error, serve

SEARCH = "query ($s: String) { resources(search: $s) { totalCount } }"
ENTITIES = """query ($r: [_Any!]!) { _entities(representations: $r) {
  ... on Resource { code } } }"""
HOUSEHOLD_QUERY = "{ resource(code: %s) { code } }".replace("%s", json.dumps(HOUSEHOLD))
DEPARTMENTS = "query ($codes: [String!]) { departments(codes: $codes) { code } }"


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    async with EmbeddedStore.open(tmp_path / "catalog.db", CHENGDU) as opened:
        await seed(opened)
        yield opened


@pytest.fixture
def spy(embedded: EmbeddedStore) -> SpyStore:
    return SpyStore(embedded)


def app_settings(tmp_path: Path, **graphql: Any) -> Settings:
    return Settings(data_dir=tmp_path, graphql=GraphQLSettings(**graphql))


@pytest.fixture
async def http(spy: SpyStore, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An instance with the default limits over the seeded embedded store."""
    async with serve(app_over(app_settings(tmp_path), spy)) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLCaller:
    return GraphQLCaller(http)


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing at ERROR or above is logged, by any logger, during the test."""
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def json_post(http: httpx.AsyncClient, body: bytes | str) -> Any:
    return http.post("/graphql", content=body, headers={"content-type": "application/json"})


# -- the body ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ('"x"', "a string"),
        ("null", "null"),
        ("3", "a number"),
        ("true", "a boolean"),
        ("[]", "an array"),
        ('[{"query": "{ themes { name } }"}]', "an array"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_a_400_with_a_message(
    http: httpx.AsyncClient, spy: SpyStore, no_errors_logged: None, body: str, said: str
) -> None:
    # class 4: these were a 500 with a traceback in the log.
    spy.reset()
    response = await json_post(http, body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert f"got {said}" in error["message"]
    assert 'a JSON object such as {"query": "{ themes { name } }"}' in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert not spy.calls


@pytest.mark.parametrize("body", ["{", "", "[" * 100_000 + "]" * 100_000])
async def test_a_body_that_is_not_json_is_a_400_with_a_message(
    http: httpx.AsyncClient, no_errors_logged: None, body: str
) -> None:
    response = await json_post(http, body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "JSON" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_a_body_of_ten_megabytes_is_refused_with_413(
    http: httpx.AsyncClient, spy: SpyStore, no_errors_logged: None
) -> None:
    spy.reset()
    body = json.dumps({"query": "{ themes { name } }", "variables": {"x": "a" * 10_000_000}})
    started = time.monotonic()
    response = await json_post(http, body)
    assert time.monotonic() - started < 2
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "limitBytes": GraphQLSettings().max_body_bytes,
    }
    assert f"at most {GraphQLSettings().max_body_bytes} bytes" in error["message"]
    assert not spy.calls


async def test_a_streamed_body_is_counted_while_it_is_read(
    http: httpx.AsyncClient, no_errors_logged: None
) -> None:
    # No Content-Length to trust: the bound holds on the bytes that arrive.
    chunks_sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        yield b'{"query": "{ themes { name } }", "variables": {"x": "'
        for _ in range(1_000):
            chunks_sent += 1
            yield b"a" * 64_000
        yield b'"}}'

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert chunks_sent < 100  # it stopped reading soon after the bound


async def test_a_body_under_the_bound_is_answered(http: httpx.AsyncClient) -> None:
    padding = "a" * (GraphQLSettings().max_body_bytes - 100)
    body = json.dumps({"query": "{ themes { name } }", "extensions": {"pad": padding}})
    response = await json_post(http, body)
    assert response.status_code == 200
    assert len(data(response.json())["themes"]) == 12


async def test_variables_nested_deeper_than_the_bound_are_refused(
    http: httpx.AsyncClient, no_errors_logged: None
) -> None:
    limit = GraphQLSettings().max_variables_depth
    nested: Any = "x"
    for _ in range(limit + 1):
        nested = [nested]
    body = json.dumps({"query": "{ themes { name } }", "variables": {"v": nested}})
    response = await json_post(http, body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"] == (
        f"variables nest more than {limit} levels deep; at most {limit} are accepted"
    )
    assert error["extensions"] == {"code": "BAD_REQUEST"}


@pytest.mark.parametrize(
    ("value", "depth"),
    [("x", 0), ({}, 1), ({"a": 1}, 1), ({"a": [1, {"b": []}]}, 4), ([[[[[]]]]], 5)],
)
def test_json_depth_counts_arrays_and_objects_up_to_one_past_the_cap(
    value: object, depth: int
) -> None:
    assert json_depth(value, cap=10) == depth
    assert json_depth(value, cap=1) == min(depth, 2)


async def test_a_query_string_longer_than_the_body_bound_is_refused(
    spy: SpyStore, tmp_path: Path
) -> None:
    settings = app_settings(tmp_path, max_body_bytes=2048)
    async with serve(app_over(settings, spy)) as http:
        query = "{ themes { name } }"
        assert (await http.get("/graphql", params={"query": query})).status_code == 200
        response = await http.get("/graphql", params={"query": query + " " * 2048})
    assert response.status_code == 414
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "URI_TOO_LONG", "limitBytes": 2048}
    assert "longer than 2048 bytes" in error["message"]


# -- arguments -----------------------------------------------------------------------------


async def test_a_one_megabyte_search_is_refused_quickly_and_the_instance_answers_on(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    # The issue's case: a 1 MB search kept an instance busy for a minute.
    spy.reset()
    search = ("population data " * 62_500)[:1_000_000]
    started = time.monotonic()
    error = only_error(await gql(SEARCH, {"s": search}))
    assert time.monotonic() - started < 1
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "search",
        "value": "1000000 characters",
        "accepted": f"a search of at most {MAX_SEARCH_LENGTH} characters",
    }
    assert "find" not in spy.calls
    answer = await gql(HOUSEHOLD_QUERY)
    assert data(answer)["resource"] == {"code": HOUSEHOLD}


async def test_a_search_at_the_bound_is_answered(gql: GraphQLCaller) -> None:
    search = ("人口" * MAX_SEARCH_LENGTH)[:MAX_SEARCH_LENGTH]
    # Fifty times the word 人口 is the word 人口 once.
    once = data(await gql(SEARCH, {"s": "人口"}))["resources"]["totalCount"]
    assert data(await gql(SEARCH, {"s": search}))["resources"]["totalCount"] == once > 0
    error = only_error(await gql(SEARCH, {"s": search + "口"}))
    assert error["extensions"]["value"] == f"{MAX_SEARCH_LENGTH + 1} characters"


async def test_facets_bound_the_search_too(gql: GraphQLCaller) -> None:
    query = "query ($s: String) { facets(search: $s) { byProvider { count } } }"
    error = only_error(await gql(query, {"s": "a" * (MAX_SEARCH_LENGTH + 1)}))
    assert error["extensions"]["field"] == "search"


async def test_two_hundred_thousand_representations_are_refused_fast(
    spy: SpyStore, tmp_path: Path
) -> None:
    # The issue's case: 200,000 representations slowed every instance in the process. The body
    # bound is lifted here so that the representations' own bound is what refuses them.
    settings = app_settings(tmp_path, max_body_bytes=64_000_000)
    limit = settings.graphql.max_list_items
    representations = [{"__typename": "Resource", "code": HOUSEHOLD}] * 200_000
    async with serve(app_over(settings, spy)) as http:
        spy.reset()
        started = time.monotonic()
        error = only_error(await GraphQLCaller(http)(ENTITIES, {"r": representations}))
        assert time.monotonic() - started < 3
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "_entities.representations",
        "value": "200000 items",
        "accepted": f"a list of at most {limit} items",
    }
    assert not spy.calls


async def test_with_the_default_bounds_the_body_refuses_them_first(
    http: httpx.AsyncClient,
) -> None:
    representations = [{"__typename": "Resource", "code": HOUSEHOLD}] * 200_000
    body = json.dumps({"query": ENTITIES, "variables": {"r": representations}})
    assert (await json_post(http, body)).status_code == 413


async def test_representations_at_the_bound_are_resolved(gql: GraphQLCaller) -> None:
    limit = GraphQLSettings().max_list_items
    representations = [{"__typename": "Resource", "code": HOUSEHOLD}] * limit
    entities = data(await gql(ENTITIES, {"r": representations}))["_entities"]
    assert entities == [{"code": HOUSEHOLD}] * limit


async def test_a_list_argument_longer_than_the_bound_is_refused(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    limit = GraphQLSettings().max_list_items
    spy.reset()
    error = only_error(await gql(DEPARTMENTS, {"codes": ["x"] * (limit + 1)}))
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "departments.codes",
        "value": f"{limit + 1} items",
        "accepted": f"a list of at most {limit} items",
    }
    assert not spy.calls


async def test_a_list_inside_an_input_object_is_bounded_too(gql: GraphQLCaller) -> None:
    limit = GraphQLSettings().max_list_items
    query = "query ($f: ResourceFilterInput) { resources(filter: $f) { totalCount } }"
    error = only_error(await gql(query, {"f": {"level": ["MUNICIPAL"] * (limit + 1)}}))
    assert error["extensions"]["field"] == "resources.filter.level"
    assert error["extensions"]["value"] == f"{limit + 1} items"


async def test_a_literal_list_in_the_document_is_bounded_too(spy: SpyStore, tmp_path: Path) -> None:
    settings = app_settings(tmp_path, max_list_items=3)
    codes = '["a", "b", "c", "d"]'
    queries = [
        f"{{ departments(codes: {codes}) {{ code }} }}",
        f"{{ ... on Query {{ departments(codes: {codes}) {{ code }} }} }}",
        f"{{ ...d }} fragment d on Query {{ departments(codes: {codes}) {{ code }} }}",
    ]
    async with serve(app_over(settings, spy)) as http:
        spy.reset()
        for query in queries:
            error = only_error(await GraphQLCaller(http)(query))
            assert error["extensions"]["field"] == "departments.codes"
            assert error["extensions"]["value"] == "4 items"
        assert not spy.calls


# -- time and isolation --------------------------------------------------------------------

# A read that runs for minutes unless it is interrupted.
SLOW_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)"
    " SELECT count(*) FROM n"
)


class SlowFind(SpyStore):
    """The seeded store whose `find` first runs a slow query on the store's own connection (one
    injected fault in an otherwise real run); `stopped` is set once that query has ended."""

    def __init__(self, store: EmbeddedStore) -> None:
        super().__init__(store)
        self.embedded = store
        self.stopped = asyncio.Event()
        self.outcome: str | None = None
        self.slow_reads = 1

    async def find(
        self,
        where: ResourceFilter,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResourcePage:
        loop = asyncio.get_running_loop()

        def slow(db: sqlite3.Connection) -> None:
            try:
                db.execute(SLOW_SQL).fetchone()
                self.outcome = "finished"
            except sqlite3.OperationalError as exc:
                self.outcome = str(exc)
                raise
            finally:
                loop.call_soon_threadsafe(self.stopped.set)

        if self.slow_reads:
            self.slow_reads -= 1
            await self.embedded._connection.read(slow)
        return await self.embedded.find(where, search, first, after)


async def test_a_timed_out_request_stops_its_query_and_others_are_answered_meanwhile(
    embedded: EmbeddedStore, tmp_path: Path
) -> None:
    slow_store = SlowFind(embedded)
    settings = app_settings(tmp_path, timeout_seconds=1.5)
    async with serve(app_over(settings, slow_store)) as http:
        gql = GraphQLCaller(http)
        slow = asyncio.create_task(gql("{ resources { totalCount } }"))
        await asyncio.sleep(0.2)
        # While the slow query runs, another request reads and a write commits, promptly.
        started = time.monotonic()
        answer = await gql(HOUSEHOLD_QUERY)
        assert data(answer)["resource"] == {"code": HOUSEHOLD}
        await embedded.put_catalogs([CHENGDU])
        assert time.monotonic() - started < 0.5
        assert not slow.done()
        error = only_error(await slow)
        assert error["extensions"]["code"] == "TIMEOUT"
        # The query itself stopped, it did not run on after its request was answered.
        await asyncio.wait_for(slow_store.stopped.wait(), 2)
        assert slow_store.outcome == "interrupted"
        assert data(await gql("{ resources { totalCount } }"))["resources"]["totalCount"] == 7
