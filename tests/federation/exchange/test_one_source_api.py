"""oneSource over GraphQL: the items several departments collect among the published entries,
with the one source the base libraries name."""

from __future__ import annotations

from federation.sample import sample_for
from graph import CatalogStore
from graph.onesource import collected_items
from graph.sample import load_sample
from tests.federation.support import GraphQLCaller, data

QUERY = """{ oneSource(first: 500) { name dataType sources hasOneSource
  providers { departmentCode codes } } }"""


async def test_the_list_is_the_stores_published_items_of_several_departments(
    gql: GraphQLCaller, store: CatalogStore
) -> None:
    await load_sample(store, sample_for(store.catalog.id, 600, seed=1))
    listed = data(await gql(QUERY))["oneSource"]
    expected = await collected_items(store)
    assert [(i["name"], i["dataType"]) for i in listed] == [(i.name, i.data_type) for i in expected]
    assert any(i["name"] == "公民身份号码" for i in listed)
    assert any(i["hasOneSource"] for i in listed)  # named by a base library
    for item in listed:
        assert len(item["providers"]) > 1
        assert item["hasOneSource"] == (len(item["sources"]) == 1)
