"""No N+1: nested fields load through DataLoaders over the store's batch reads, so the number
of store calls of a request does not grow with the number of entries listed."""

from __future__ import annotations

import pytest

from graph import CatalogStore
from tests.federation.catalog import HOUSEHOLD, ITEMS
from tests.federation.support import GraphQLCaller, SpyStore, data
from tests.graph.entries import HEALTH, JINJIANG, MARKET, POLICE, PROVINCE_STATS, resource

PROVIDERS = (POLICE, MARKET, HEALTH, PROVINCE_STATS, JINJIANG)
THEMES = ("社会保障", "信用体系", "城乡建设", "生态环保")

LISTING = """query ($first: Int!) {
  resources(first: $first) {
    edges { node {
      code name
      provider { code name }
      themes { name }
      items { name dataType }
      categories { code name }
    } }
  }
}"""

EVERYTHING = """query ($first: Int!) {
  resources(first: $first) {
    totalCount
    edges { node {
      code
      provider { name resourceCount }
      themes { name resourceCount }
      items { name }
      categories { code name rank }
      catalog { id name }
      catalogPath { id parent { id } }
      related { code provider { name } }
    } }
  }
}"""


@pytest.fixture
async def hundreds(store: CatalogStore) -> None:
    """150 more published entries: five providers, four themes, three items each."""
    await store.apply(
        [
            resource(
                f"3010{n % 3 + 1:02d}{n % 7 + 1:03d}/{n:06d}",
                provider=PROVIDERS[n % len(PROVIDERS)],
                name=f"测试资源{n}",
                themes=frozenset({THEMES[n % len(THEMES)]}),
                items=ITEMS,
                related_codes=(HOUSEHOLD,),
            )
            for n in range(100, 250)
        ]
    )


@pytest.mark.usefixtures("hundreds")
async def test_a_hundred_entries_with_nested_fields_take_three_store_calls(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    spy.reset()
    edges = data(await gql(LISTING, {"first": 100}))["resources"]["edges"]
    assert len(edges) == 100
    assert all(edge["node"]["provider"]["name"] for edge in edges)
    assert all(len(edge["node"]["items"]) == 3 for edge in edges if "测试" in edge["node"]["name"])
    assert all(edge["node"]["categories"] for edge in edges)
    # one find, one departments, one categories — not 1 + 3 × 100
    assert dict(spy.calls) == {"find": 1, "departments": 1, "categories": 1}


@pytest.mark.usefixtures("hundreds")
async def test_the_number_of_store_calls_does_not_grow_with_the_page(
    gql: GraphQLCaller, spy: SpyStore
) -> None:
    # Catalogs, departments and categories are kept up to 30 s across requests (see
    # federation/api/reference.py): warm them, so each page counts its own reads only.
    data(await gql(EVERYTHING, {"first": 100}))
    counts = []
    for first in (5, 50, 100):
        spy.reset()
        answer = data(await gql(EVERYTHING, {"first": first}))
        assert len(answer["resources"]["edges"]) == first
        counts.append(dict(spy.calls))
    assert counts[0] == counts[1] == counts[2]
    assert sum(counts[0].values()) <= 7, counts[0]
