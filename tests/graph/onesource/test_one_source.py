"""一数一源: the items several departments collect, each with the one source the base libraries
name — on hand-made entries, on the sample catalog, and read from both stores."""

from __future__ import annotations

from graph import CatalogStore, DataItem, LifecycleState, ShareType
from graph.onesource import collected_items, one_source
from graph.sample import generate_catalog, load_sample
from tests.graph.entries import HEALTH, MARKET, POLICE, resource

ID = DataItem("公民身份号码", "字符型", 18)
ID_BASE = DataItem("公民身份号码", "字符型", 18, True, ShareType.UNCONDITIONAL)
NAME = DataItem("姓名", "字符型", 50)


def test_an_item_of_several_departments_is_listed_with_the_base_librarys_source() -> None:
    entries = [
        resource("101001001/000001", provider=POLICE, items=(ID_BASE, NAME)),
        resource("301002001/000001", provider=HEALTH, items=(ID, NAME)),
        resource("302001001/000001", provider=MARKET, items=(ID,)),
        # The same name with another data type is another item.
        resource("302001001/000002", provider=MARKET, items=(DataItem("姓名", "数值型"),)),
    ]
    found = {(i.name, i.data_type): i for i in one_source(entries)}
    identity = found[("公民身份号码", "字符型")]
    assert identity.providers == {
        HEALTH.code: ("301002001/000001",),
        MARKET.code: ("302001001/000001",),
        POLICE.code: ("101001001/000001",),
    }
    assert (identity.sources, identity.has_one_source) == ((POLICE.code,), True)
    names = found[("姓名", "字符型")]
    assert set(names.providers) == {POLICE.code, HEALTH.code}
    assert names.sources == ()  # listed by a base resource, but not as a base item
    assert ("姓名", "数值型") not in found  # one department alone


def test_one_department_listing_an_item_twice_is_not_listed() -> None:
    entries = [
        resource("301002001/000001", provider=HEALTH, items=(ID,)),
        resource("301002001/000002", provider=HEALTH, items=(ID,)),
    ]
    assert one_source(entries) == []


def test_the_sample_catalog_names_the_one_source_of_its_base_items() -> None:
    sample = generate_catalog(3000, seed=1)
    entries = [e for batch in sample.resources(1000, ["510100/intranet"]) for e in batch]
    found = {i.name: i for i in one_source(entries)}
    identity = found["公民身份号码"]
    assert len(identity.providers) > 1
    (source,) = identity.sources
    base_providers = {e.provider_code for e in entries if e.code.startswith("101")}
    assert source in base_providers  # the 人口 library's provider
    # Most widely collected first.
    counts = [len(i.providers) for i in one_source(entries)]
    assert counts == sorted(counts, reverse=True)


async def test_read_from_a_store_only_published_entries_count(store: CatalogStore) -> None:
    sample = generate_catalog(2000, seed=1)
    await load_sample(store, sample, catalog_ids=[store.catalog.id])
    published = [
        e for e in sample.resources_for(store.catalog.id) if e.state is LifecycleState.PUBLISHED
    ]
    assert await collected_items(store) == one_source(published)
