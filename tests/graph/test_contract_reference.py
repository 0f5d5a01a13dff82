"""Contract: reference data — regions, catalogs, departments, categories — is upserted by its
natural key, idempotently, and read back in batches; writing an entry makes its provider known."""

from __future__ import annotations

from graph import Catalog, CatalogStore, Category, Department, Region, Zone
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import HEALTH, JINJIANG, MARKET, POLICE, TREE, credit_code, resource

REGIONS = [
    Region("100000", "中华人民共和国", None),
    Region("510000", "四川省", "100000"),
    Region("510100", "成都市", "510000"),
    Region("510104", "锦江区", "510100"),
]


async def test_regions_upsert_and_read(store: CatalogStore) -> None:
    await store.put_regions(REGIONS)
    await store.put_regions(REGIONS)  # idempotent
    assert await store.regions() == REGIONS
    assert await store.regions(["510104", "510000", "440000"]) == [REGIONS[1], REGIONS[3]]
    renamed = Region("510104", "成都市锦江区", "510100")
    await store.put_regions([renamed])
    assert await store.regions(["510104"]) == [renamed]
    assert len(await store.regions()) == len(REGIONS)


async def test_catalogs_upsert_and_read(store: CatalogStore) -> None:
    await store.put_catalogs(TREE)
    await store.put_catalogs(TREE)
    held = await store.catalogs()
    assert set(TREE) <= set(held)
    assert len({c.id for c in held}) == len(held)
    moved = Catalog("510104", Zone.INTRANET, "锦江区目录", "510000/intranet")
    await store.put_catalogs([moved])
    assert await store.catalogs([moved.id]) == [moved]


async def test_departments_upsert_and_read_by_code(store: CatalogStore) -> None:
    police = Department(POLICE.code, POLICE.name, "510100", frozenset({"人口"}))
    await store.put_departments([MARKET, police, HEALTH])
    await store.put_departments([police])
    assert await store.departments() == sorted([MARKET, police, HEALTH], key=lambda d: d.code)
    assert await store.departments([HEALTH.code, "91350100M000100Y43"]) == [HEALTH]
    assert await store.departments([]) == []
    leading = Department(
        POLICE.code, "成都市公安局（改）", "510100", frozenset({"人口", "社会信用"})
    )
    await store.put_departments([leading])
    assert await store.departments([POLICE.code]) == [leading]


async def test_categories_upsert_and_read(store: CatalogStore) -> None:
    categories = [
        Category("3", "部门信息资源"),
        Category("301", "公安"),
        Category("301001", "户籍管理"),
        Category("301001001", "户籍人口"),
    ]
    await store.put_categories(categories)
    await store.put_categories(categories)
    assert await store.categories(["301001", "3", "999"]) == [categories[0], categories[2]]
    await store.put_categories([Category("301", "公安机关")])
    assert await store.categories(["301"]) == [Category("301", "公安机关")]


async def test_writing_an_entry_makes_its_provider_known(store: CatalogStore) -> None:
    """A department registered locally belongs to the region in characters 3–8 of its
    统一社会信用代码."""
    await store.apply([resource(provider=JINJIANG)])
    assert await store.departments([JINJIANG.code]) == [
        Department(JINJIANG.code, JINJIANG.name, "510104")
    ]


async def test_a_provider_code_without_a_region_takes_the_catalogs(store: CatalogStore) -> None:
    central = Department(credit_code("000000", "MB0000077", kind="12"), "某中央单位", "")
    await store.apply([resource(provider=central, origin=CHENGDU_INTRANET.id)])
    assert await store.departments([central.code]) == [
        Department(central.code, central.name, CHENGDU_INTRANET.region_code)
    ]


async def test_a_known_provider_is_left_as_it_is(store: CatalogStore) -> None:
    police = Department(POLICE.code, "成都市公安局", "510100", frozenset({"人口"}))
    await store.put_departments([police])
    await store.apply([resource(provider_name="公安局（别名）")])
    assert await store.departments([POLICE.code]) == [police]


async def test_the_store_names_its_catalog_and_answers(store: CatalogStore) -> None:
    assert store.catalog == CHENGDU_INTRANET
    await store.ping()
