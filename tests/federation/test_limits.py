"""What one request may ask: depth, aliases, tokens, page size and time — each refused with a
clear error before (or instead of) reaching the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from graphql import get_introspection_query
from strawberry.extensions.validation_cache import _get_validate_cache

from federation.settings import GraphQLSettings, Settings
from graph.queries import MAX_PAGE_SIZE
from tests.federation.support import GraphQLCaller, SpyStore, app_over, data, only_error, serve

TIGHT = GraphQLSettings(max_depth=5, max_aliases=3, max_tokens=120, timeout_seconds=0.3)


@pytest.fixture
async def tight(spy: SpyStore, tmp_path: Path) -> AsyncIterator[GraphQLCaller]:
    """An instance with tight limits over the seeded store."""
    settings = Settings(data_dir=tmp_path, graphql=TIGHT)
    async with serve(app_over(settings, spy)) as http:
        yield GraphQLCaller(http)


async def test_a_query_deeper_than_the_limit_is_refused(
    tight: GraphQLCaller, spy: SpyStore
) -> None:
    at_limit = "{ catalogs { children { children { children { id } } } } }"
    assert "errors" not in await tight(at_limit)
    spy.reset()
    too_deep = (
        "{ catalogs { children { children { children { children { children { id } } } } } } }"
    )
    error = only_error(await tight(too_deep))
    assert "exceeds maximum operation depth of 5" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert not spy.calls


async def test_depth_counts_through_fragments(tight: GraphQLCaller) -> None:
    query = """{ catalogs { ...deep } }
      fragment deep on Catalog {
        children { children { children { children { children { id } } } } } }"""
    assert "exceeds maximum operation depth" in only_error(await tight(query))["message"]


async def test_too_many_aliases_are_refused(tight: GraphQLCaller, spy: SpyStore) -> None:
    spy.reset()
    query = "{ a: themes { name } b: themes { name } c: themes { name } d: themes { name } }"
    error = only_error(await tight(query))
    assert error["message"] == "4 aliases found. Allowed: 3"
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_too_many_tokens_are_refused(tight: GraphQLCaller) -> None:
    query = "{ " + " ".join(["themes { name }"] * 40) + " }"
    error = only_error(await tight(query))
    assert "more than 120 tokens" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize("first", [MAX_PAGE_SIZE + 1, 10_000, -1])
async def test_a_page_larger_than_the_bound_is_refused(
    gql: GraphQLCaller, spy: SpyStore, first: int
) -> None:
    spy.reset()
    error = only_error(
        await gql("query ($n: Int!) { resources(first: $n) { totalCount } }", {"n": first})
    )
    assert error["extensions"] == {
        "code": "INVALID_VALUE",
        "field": "first",
        "value": first,
        "accepted": f"a page size from 0 to {MAX_PAGE_SIZE}",
    }
    assert "find" not in spy.calls


async def test_the_largest_page_is_answered(gql: GraphQLCaller) -> None:
    answer = await gql(f"{{ resources(first: {MAX_PAGE_SIZE}) {{ totalCount }} }}")
    assert data(answer)["resources"]["totalCount"] == 7


async def test_a_request_running_too_long_is_stopped(tight: GraphQLCaller, spy: SpyStore) -> None:
    spy.slow("find", 5)
    answer = await tight("{ resources { totalCount } }")
    assert answer["data"] is None
    error = only_error(answer)
    assert error["extensions"] == {"code": "TIMEOUT", "limitSeconds": 0.3}
    assert "longer than 0.3 s" in error["message"]


async def test_introspection_stays_available_for_graphiql(gql: GraphQLCaller) -> None:
    schema = data(await gql(get_introspection_query()))["__schema"]
    assert schema["queryType"]["name"] == "Query"
    assert {"Resource", "Department", "Catalog"} <= {t["name"] for t in schema["types"]}


async def test_repeated_documents_are_answered_alike_from_the_caches(gql: GraphQLCaller) -> None:
    query = "{ themes { name } }"
    answers = [await gql(query) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    too_big = "{ resources(first: 101) { totalCount } }"
    assert only_error(await gql(too_big)) == only_error(await gql(too_big))


async def test_a_repeated_document_is_validated_once(gql: GraphQLCaller) -> None:
    # strawberry's validation cache keys on the document and the rule classes: the depth and
    # alias rules are made once per schema, so the second request finds the first's answer.
    validate = _get_validate_cache(GraphQLSettings().cache_size)
    query = "{ catalogs { id children { id } } }"
    await gql(query)
    before = validate.cache_info()
    for _ in range(3):
        await gql(query)
    after = validate.cache_info()
    assert (after.hits - before.hits, after.misses - before.misses) == (3, 0)
