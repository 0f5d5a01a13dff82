"""Error masking: a fault inside the store never reaches the client — not its message, not
Cypher, not a path or a stack trace — while domain refusals keep theirs."""

from __future__ import annotations

import logging

import pytest

from graph import StoreUnavailable
from tests.federation.catalog import HOUSEHOLD
from tests.federation.support import GraphQLCaller, SpyStore, data, only_error

SECRET = "MATCH (n) secret /var/lib/neo4j/data"


@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("find", "{ resources { totalCount } }"),
        ("departments", "{ resources { edges { node { provider { name } } } } }"),
        ("categories", f'{{ resource(code: "{HOUSEHOLD}") {{ categories {{ name }} }} }}'),
        ("get_many", f'{{ resource(code: "{HOUSEHOLD}") {{ name }} }}'),
        ("lineage", f'{{ lineage(code: "{HOUSEHOLD}", depth: 2) {{ truncated }} }}'),
        ("tree", "{ catalogs { id totalCount } }"),
        ("facets", "{ facets { byTheme { key } } }"),
    ],
)
async def test_an_internal_fault_is_masked(
    gql: GraphQLCaller,
    spy: SpyStore,
    caplog: pytest.LogCaptureFixture,
    method: str,
    query: str,
) -> None:
    spy.fail(method, RuntimeError(SECRET))
    with caplog.at_level(logging.ERROR, logger="mulu.graphql"):
        answer = await gql(query)
    error = only_error(answer)
    assert error["message"] == "Internal error."
    assert error["extensions"] == {"code": "INTERNAL_ERROR"}
    text = str(answer)
    for leak in ("MATCH", "secret", "/var/lib", "Traceback", "RuntimeError"):
        assert leak not in text
    # The server keeps the whole story in its log.
    assert SECRET in caplog.text


async def test_a_fault_in_one_nested_field_leaves_the_rest(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    spy.fail("categories", RuntimeError(SECRET))
    query = f'{{ resource(code: "{HOUSEHOLD}") {{ name categories {{ code }} }} }}'
    answer = await gql(query)
    assert answer["data"] == {"resource": None}  # a non-null field failed: its parent is null
    assert only_error(answer)["path"] == ["resource", "categories"]


async def test_a_store_that_does_not_answer_says_so(gql: GraphQLCaller, spy: SpyStore) -> None:
    spy.fail("find", StoreUnavailable("the catalog database did not answer; retry shortly"))
    error = only_error(await gql("{ resources { totalCount } }"))
    assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
    assert "retry" in error["message"]


async def test_masked_errors_are_counted(gql: GraphQLCaller, spy: SpyStore) -> None:
    spy.fail("find", RuntimeError(SECRET))
    await gql("{ resources { totalCount } }")
    metrics = (await gql.http.get("/metrics")).text
    assert 'mulu_graphql_errors_total{code="INTERNAL_ERROR"} 1.0' in metrics
    assert data(await gql("{ themes { name } }"))["themes"]
