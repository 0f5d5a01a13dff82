"""Reference data across requests: catalogs, departments and categories are read once per
`ttl_seconds`, a code the store does not know is asked again, a failed read is not kept; and the
round trips of the benchmark's queries on a warm instance."""

from __future__ import annotations

import asyncio

import pytest

from federation.api.reference import ReferenceCache
from graph import CatalogError, Department
from tests.federation.catalog import HOUSEHOLD, POPULATION_BASE
from tests.federation.support import GraphQLCaller, SpyStore, data
from tests.graph.entries import CHENGDU, HEALTH, MARKET, POLICE, credit_code


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def reference(spy: SpyStore, clock: Clock) -> ReferenceCache:
    return ReferenceCache(spy, ttl_seconds=30, clock=clock)


async def test_catalogs_are_read_once_within_the_ttl(
    reference: ReferenceCache, spy: SpyStore, clock: Clock
) -> None:
    first = await reference.catalogs()
    clock.now = 29
    assert await reference.catalogs() == first
    assert spy.calls["catalogs"] == 1
    clock.now = 30
    assert CHENGDU.id in await reference.catalogs()
    assert spy.calls["catalogs"] == 2


async def test_departments_are_kept_each_from_its_own_read(
    reference: ReferenceCache, spy: SpyStore, clock: Clock
) -> None:
    assert await reference.departments([POLICE.code]) == {POLICE.code: POLICE}
    clock.now = 10
    renamed = Department(POLICE.code, "成都市公安局（新）", POLICE.region_code)
    await spy.put_departments([renamed])
    assert (await reference.departments([POLICE.code]))[POLICE.code].name == POLICE.name
    clock.now = 30
    assert (await reference.departments([POLICE.code]))[POLICE.code].name == renamed.name


async def test_requests_missing_the_same_department_at_once_share_one_read(
    reference: ReferenceCache, spy: SpyStore
) -> None:
    spy.slow("departments", 0.05)  # so that the requests overlap
    answers = await asyncio.gather(*(reference.departments([POLICE.code]) for _ in range(10)))
    assert answers == [{POLICE.code: POLICE}] * 10
    assert spy.calls["departments"] == 1


async def test_a_read_renews_the_departments_about_to_expire(
    reference: ReferenceCache, spy: SpyStore, clock: Clock
) -> None:
    await reference.departments([POLICE.code])
    clock.now = 10
    await reference.departments([MARKET.code])
    clock.now = 26  # POLICE expires at 30, MARKET at 40: both within half the ttl (15 s)
    renamed = Department(POLICE.code, "成都市公安局（新）", POLICE.region_code)
    await spy.put_departments([renamed])
    spy.reset()
    await reference.departments([HEALTH.code])  # missing: read, with both kept ones
    assert spy.calls["departments"] == 1
    clock.now = 45  # past both of their first expiries, within the renewed one (56)
    found = await reference.departments([POLICE.code, MARKET.code, HEALTH.code])
    assert found[POLICE.code].name == renamed.name
    assert set(found) == {POLICE.code, MARKET.code, HEALTH.code}
    assert spy.calls["departments"] == 1


async def test_an_unknown_code_is_asked_again(reference: ReferenceCache, spy: SpyStore) -> None:
    newcomer = Department(credit_code("510100", "MB0000077"), "成都市数据局", "510100")
    assert await reference.departments([newcomer.code]) == {}
    await spy.put_departments([newcomer])
    assert await reference.departments([newcomer.code]) == {newcomer.code: newcomer}


async def test_a_failed_read_is_not_kept(reference: ReferenceCache, spy: SpyStore) -> None:
    spy.fail("catalogs", CatalogError("the store is down"))
    with pytest.raises(CatalogError):
        await reference.catalogs()
    del spy.faults["catalogs"]
    assert CHENGDU.id in await reference.catalogs()


DETAIL = """query ($code: String!) {
  resource(code: $code) { code items { name } provider { name } themes { name } catalogPath { id } }
}"""
SEARCH = """{ resources(search: "人口", first: 20) {
  totalCount edges { node { code provider { name } } } } }"""
LINEAGE = """query ($code: String!) {
  lineage(code: $code, direction: BOTH, depth: 3) { root nodes { code resource { name } } } }"""


async def test_a_warm_instance_answers_each_benchmark_query_in_one_round_trip(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    for _ in range(2):  # the first of each warms the reference data
        spy.reset()
        detail = data(await gql(DETAIL, {"code": HOUSEHOLD}))["resource"]
        assert detail["catalogPath"][0]["id"] == CHENGDU.id
        detail_calls = dict(spy.calls)
        spy.reset()
        assert data(await gql(SEARCH))["resources"]["edges"]
        search_calls = dict(spy.calls)
        spy.reset()
        assert data(await gql(LINEAGE, {"code": POPULATION_BASE}))["lineage"]["nodes"]
        lineage_calls = dict(spy.calls)
        spy.reset()
        assert data(await gql("{ catalogs { id ownCount children { id totalCount } } }"))
        tree_calls = dict(spy.calls)
    assert detail_calls == {"get_many": 1}
    assert search_calls == {"find": 1}
    assert lineage_calls == {"lineage": 1}
    assert tree_calls == {"tree": 1}


async def test_a_catalog_path_asking_for_counts_reads_the_tree(gql: GraphQLCaller) -> None:
    query = """query ($code: String!) {
      resource(code: $code) { catalogPath { id ownCount totalCount children { id } }
                              catalog { ... on Catalog { totalCount } } } }"""
    entry = data(await gql(query, {"code": HOUSEHOLD}))["resource"]
    tree = data(await gql('{ catalog(id: "510100/intranet") { ownCount totalCount } }'))
    assert entry["catalogPath"][0]["ownCount"] == tree["catalog"]["ownCount"] > 0
    assert entry["catalog"]["totalCount"] == tree["catalog"]["totalCount"]
    assert [c["id"] for c in entry["catalogPath"][0]["children"]] == ["510104/intranet"]
