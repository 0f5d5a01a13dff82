"""Contract: the catalog tree (municipal → provincial → national, PART_OF) with the entries
listed in each catalog and in its whole subtree, and the facets of a selection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graph import Catalog, CatalogStore, Level, LifecycleState, ResourceFilter, ShareType, Zone
from graph.enums import ShareMode, UpdateCycle
from graph.errors import InvalidValue
from graph.model import Category
from graph.queries import CatalogCount, FacetCount
from tests.graph.conftest import CHENGDU_EXTRANET, OpenStore
from tests.graph.dataset import ENTRIES
from tests.graph.entries import (
    CHENGDU,
    CHONGQING,
    HEALTH,
    JINJIANG_CATALOG,
    MARKET,
    MIANYANG,
    NATIONAL,
    POLICE,
    SICHUAN,
    TREE,
    code,
    resource,
)

S = LifecycleState


def _in(catalog_id: str, n: int, state: S = S.PUBLISHED) -> object:
    return resource(code(n), origin=catalog_id, state=state)


@pytest.fixture
async def tree_store(store: CatalogStore) -> CatalogStore:
    await store.put_catalogs(TREE)
    await store.apply(
        [
            _in(CHENGDU.id, 1),
            _in(CHENGDU.id, 2),
            _in(CHENGDU.id, 3, S.DRAFT),
            _in(JINJIANG_CATALOG.id, 4),
            _in(JINJIANG_CATALOG.id, 5, S.RETIRED),
            _in(SICHUAN.id, 6),
            _in(MIANYANG.id, 7),
            _in(MIANYANG.id, 8, S.SUBMITTED),
        ]  # type: ignore[list-item]
    )
    return store


def _counts(tree: list[CatalogCount]) -> dict[str, tuple[int, int]]:
    return {c.id: (c.own_count, c.total_count) for c in tree}


async def test_tree_counts_published_entries_own_and_below(tree_store: CatalogStore) -> None:
    tree = await tree_store.tree()
    assert _counts(tree) == {
        NATIONAL.id: (0, 5),
        SICHUAN.id: (1, 5),
        CHENGDU.id: (2, 3),
        JINJIANG_CATALOG.id: (1, 1),
        MIANYANG.id: (1, 1),
        CHONGQING.id: (0, 0),
    }
    by_id = {c.id: c for c in tree}
    jinjiang = by_id[JINJIANG_CATALOG.id]
    assert (jinjiang.name, jinjiang.level, jinjiang.region_code, jinjiang.parent_id) == (
        JINJIANG_CATALOG.name,
        Level.COUNTY,
        "510104",
        CHENGDU.id,
    )
    assert by_id[NATIONAL.id].parent_id is None
    assert by_id[NATIONAL.id].level is Level.NATIONAL


async def test_tree_counts_the_states_asked_for(tree_store: CatalogStore) -> None:
    every = _counts(await tree_store.tree(ResourceFilter(states=frozenset(S))))
    assert every[NATIONAL.id] == (0, 8)
    assert every[CHENGDU.id] == (3, 5)
    assert every[MIANYANG.id] == (2, 2)
    work = _counts(await tree_store.tree(ResourceFilter(states=frozenset({S.DRAFT, S.SUBMITTED}))))
    assert work[SICHUAN.id] == (0, 2)
    assert work[JINJIANG_CATALOG.id] == (0, 0)


async def test_tree_follows_writes(tree_store: CatalogStore) -> None:
    await tree_store.redact(code(4), 2)
    await tree_store.apply([resource(code(9), origin=CHONGQING.id)])
    counts = _counts(await tree_store.tree())
    assert counts[CHENGDU.id] == (2, 2)
    assert counts[CHONGQING.id] == (1, 1)
    assert counts[NATIONAL.id] == (0, 5)


# -- an extranet's tree, and counts of what the caller may list (issue 13, defect class 6) --

EXTRANET_TREE = (
    Catalog("100000", Zone.EXTRANET, "国家政务信息资源目录（外网）"),
    Catalog("510000", Zone.EXTRANET, "四川省政务信息资源目录（外网）", "national/extranet"),
    Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet"),
)


@pytest.fixture
async def extranet(open_store: OpenStore) -> AsyncIterator[CatalogStore]:
    """The 成都 extranet: its own entries and copies mirrored from intranet catalogs (成都's,
    四川's through 四川's extranet, 锦江区's, whose extranet catalog it does not know)."""
    async with open_store(CHENGDU_EXTRANET) as store:
        await store.put_catalogs([*TREE, *EXTRANET_TREE])  # intranet catalogs known too
        await store.apply(
            [
                _in("510100/extranet", 1),
                _in(CHENGDU.id, 2),
                _in(CHENGDU.id, 3),
                resource(code(4), origin=CHENGDU.id, open_to_public=True),
                _in(SICHUAN.id, 5),
                resource(code(6), origin=SICHUAN.id, open_to_public=True),
                _in(JINJIANG_CATALOG.id, 7),
                _in("510100/extranet", 8, S.DRAFT),
            ]  # type: ignore[list-item]
        )
        yield store


async def test_an_extranet_tree_holds_its_own_zones_catalogs_only(
    extranet: CatalogStore,
) -> None:
    """A copy mirrored from an intranet catalog counts under the extranet catalog of its
    region; no catalog of the intranet shows, nor one without a parent named after it."""
    tree = await extranet.tree()
    assert _counts(tree) == {
        "national/extranet": (0, 7),
        "510000/extranet": (2, 7),
        "510100/extranet": (4, 5),
        "510104/extranet": (1, 1),
    }
    by_id = {c.id: c for c in tree}
    assert by_id["510100/extranet"].name == "成都市政务信息资源目录（外网）"
    # 锦江区's extranet catalog is not known here: shown by its id, under 成都's.
    jinjiang = by_id["510104/extranet"]
    assert (jinjiang.name, jinjiang.level, jinjiang.parent_id) == (
        "510104/extranet",
        Level.COUNTY,
        "510100/extranet",
    )
    assert [c.id for c in tree if c.parent_id is None] == ["national/extranet"]


async def test_an_extranet_tree_counts_what_the_filter_lets_the_caller_list(
    extranet: CatalogStore,
) -> None:
    """An anonymous caller of the extranet may list only entries open to the public
    (`Viewer.restrict`): the tree passed that restriction counts those alone."""
    open_only = _counts(await extranet.tree(ResourceFilter(open_to_public=True)))
    assert open_only == {
        "national/extranet": (0, 2),
        "510000/extranet": (1, 2),
        "510100/extranet": (1, 1),
        "510104/extranet": (0, 0),
    }
    mine = ResourceFilter(states=frozenset({S.DRAFT}), provider_code=POLICE.code)
    assert _counts(await extranet.tree(mine))["510100/extranet"] == (1, 1)
    assert _counts(await extranet.tree(ResourceFilter(theme="健康保障")))["national/extranet"] == (
        0,
        0,
    )


async def test_an_intranet_tree_counts_by_the_filter_too(tree_store: CatalogStore) -> None:
    counts = _counts(await tree_store.tree(ResourceFilter(open_to_public=True)))
    assert set(counts.values()) == {(0, 0)}
    assert set(counts) == {c.id for c in TREE}


async def test_catalogs_read_back(tree_store: CatalogStore) -> None:
    found = await tree_store.catalogs([MIANYANG.id, NATIONAL.id, "440100/intranet"])
    assert sorted(found, key=lambda c: c.id) == sorted([MIANYANG, NATIONAL], key=lambda c: c.id)
    assert await tree_store.catalogs([]) == []
    everything = await tree_store.catalogs()
    assert set(TREE) <= set(everything)


# -- facets ------------------------------------------------------------------------------


@pytest.fixture
async def facet_store(store: CatalogStore) -> CatalogStore:
    conditional = {
        "share_type": ShareType.CONDITIONAL,
        "share_condition": "经审批",
        "summary": "目录条目",
    }
    await store.apply(
        [
            resource(
                code(1),
                summary="目录条目",
                name="人口信息",
                provider=POLICE,
                themes=frozenset({"社会保障"}),
            ),
            resource(code(2), name="人口统计", provider=POLICE, **conditional),
            resource(
                code(3),
                name="企业信息",
                provider=MARKET,
                themes=frozenset({"社会保障", "信用体系"}),
                **conditional,
            ),
            resource(
                code(4),
                summary="目录条目",
                name="医院信息",
                provider=HEALTH,
                themes=frozenset({"健康保障"}),
            ),
            resource(code(5), summary="目录条目", name="人口草稿", provider=HEALTH, state=S.DRAFT),
        ]
    )
    return store


async def test_facets_count_by_provider_theme_and_share_type(facet_store: CatalogStore) -> None:
    facets = await facet_store.facets(ResourceFilter())
    assert sorted(facets.by_provider, key=lambda f: f.key) == sorted(
        [
            FacetCount(POLICE.code, POLICE.name, 2),
            FacetCount(MARKET.code, MARKET.name, 1),
            FacetCount(HEALTH.code, HEALTH.name, 1),
        ],
        key=lambda f: f.key,
    )
    assert {f.key: f.count for f in facets.by_theme} == {
        "社会保障": 2,
        "信用体系": 1,
        "健康保障": 1,
    }
    assert {f.key: f.count for f in facets.by_share_type} == {
        ShareType.UNCONDITIONAL.value: 2,
        ShareType.CONDITIONAL.value: 2,
    }
    # Largest first.
    assert facets.by_provider[0].key == POLICE.code
    assert facets.by_theme[0].key == "社会保障"


async def test_facets_of_a_search_and_a_filter(facet_store: CatalogStore) -> None:
    searched = await facet_store.facets(ResourceFilter(), search="人口")
    assert [(f.key, f.count) for f in searched.by_provider] == [(POLICE.code, 2)]
    assert [(f.key, f.count) for f in searched.by_theme] == [("社会保障", 1)]
    every_state = await facet_store.facets(ResourceFilter(states=frozenset()), search="人口")
    assert {f.key: f.count for f in every_state.by_provider} == {POLICE.code: 2, HEALTH.code: 1}
    filtered = await facet_store.facets(ResourceFilter(theme="社会保障"))
    assert {f.key: f.count for f in filtered.by_share_type} == {
        ShareType.UNCONDITIONAL.value: 1,
        ShareType.CONDITIONAL.value: 1,
    }
    nothing = await facet_store.facets(ResourceFilter(), search="气象")
    assert (nothing.by_provider, nothing.by_theme, nothing.by_share_type) == ((), (), ())


async def test_facets_agree_with_find(store: CatalogStore) -> None:
    await store.put_catalogs(TREE)
    await store.apply(ENTRIES)
    where = ResourceFilter(region_code="510000", states=frozenset())
    page = await store.find(where, first=100)
    facets = await store.facets(where)
    providers: dict[str, int] = {}
    themes: dict[str, int] = {}
    for e in page.items:
        providers[e.provider_code] = providers.get(e.provider_code, 0) + 1
        for theme in e.themes:
            themes[theme] = themes.get(theme, 0) + 1
    assert {f.key: f.count for f in facets.by_provider} == providers
    assert {f.key: f.count for f in facets.by_theme} == themes
    assert sum(f.count for f in facets.by_share_type) == page.total_count


# -- browsing by category, and the facets of every filter field ----------------------------


# Every share mode but 数据比对, never offered beside handing data over (Sichuan 第二十三条).
_HANDING_OVER = set(ShareMode) - {ShareMode.DATA_COMPARISON}


@pytest.fixture
async def category_store(store: CatalogStore) -> CatalogStore:
    """Entries under 细目 301001001 and its longer sibling 3010010011, under 目 301002 (no
    细目), and under 类 1; 301 and 301001 named, 3010010011 not."""
    await store.put_categories(
        [
            Category("3", "部门信息资源"),
            Category("301", "公安"),
            Category("301001", "人口管理"),
            Category("301001001", "户籍"),
            Category("101", "人口"),
        ]
    )
    await store.apply(
        [
            resource(code(1)),
            resource(code(2), update_cycle=UpdateCycle.MONTHLY, open_to_public=True),
            resource(code(3, "3010010011"), share_modes=frozenset(_HANDING_OVER)),
            resource(code(4, "301002"), update_cycle=UpdateCycle.MONTHLY),
            resource(code(5, "101001001"), origin=SICHUAN.id),
            resource(code(6), state=S.DRAFT),
        ]
    )
    return store


def _keys(counts: tuple[FacetCount, ...]) -> list[tuple[str, str, int]]:
    return [(f.key, f.label, f.count) for f in counts]


@pytest.mark.parametrize(
    ("category", "codes"),
    [
        ("3", [code(1), code(2), code(3, "3010010011"), code(4, "301002")]),
        ("301", [code(1), code(2), code(3, "3010010011"), code(4, "301002")]),
        ("301001", [code(1), code(2), code(3, "3010010011")]),
        ("301001001", [code(1), code(2)]),  # a 细目 is a leaf: its longer sibling is not in it
        ("3010010011", [code(3, "3010010011")]),
        ("301002", [code(4, "301002")]),
        ("1", [code(5, "101001001")]),
        ("2", []),
    ],
)
async def test_a_category_selects_the_entries_filed_under_it(
    category_store: CatalogStore, category: str, codes: list[str]
) -> None:
    where = ResourceFilter(category=category)
    page = await category_store.find(where, first=100)
    assert [e.code for e in page.items] == codes
    assert page.total_count == len(codes)
    facets = await category_store.facets(where)
    assert sum(f.count for f in facets.by_kind) == len(codes)


async def test_the_category_facet_counts_one_rank_below_the_filters(
    category_store: CatalogStore,
) -> None:
    top = await category_store.facets(ResourceFilter())
    assert _keys(top.by_category) == [("3", "部门信息资源", 4), ("1", "1", 1)]
    items = await category_store.facets(ResourceFilter(category="3"))
    assert _keys(items.by_category) == [("301", "公安", 4)]
    catalogs = await category_store.facets(ResourceFilter(category="301"))
    assert _keys(catalogs.by_category) == [("301001", "人口管理", 3), ("301002", "301002", 1)]
    details = await category_store.facets(ResourceFilter(category="301001"))
    assert _keys(details.by_category) == [
        ("301001001", "户籍", 2),
        ("3010010011", "3010010011", 1),
    ]
    leaf = await category_store.facets(ResourceFilter(category="301001001"))
    assert _keys(leaf.by_category) == [("301001001", "户籍", 2)]


async def test_facets_count_share_mode_update_cycle_open_level_and_kind(
    category_store: CatalogStore,
) -> None:
    facets = await category_store.facets(ResourceFilter())
    assert _keys(facets.by_share_mode) == [
        ("INTERFACE", "INTERFACE", 5),
        *[(m.value, m.value, 1) for m in sorted(_HANDING_OVER) if m is not ShareMode.INTERFACE],
    ]
    assert _keys(facets.by_update_cycle) == [("DAILY", "DAILY", 3), ("MONTHLY", "MONTHLY", 2)]
    assert _keys(facets.by_open_to_public) == [("false", "false", 4), ("true", "true", 1)]
    assert _keys(facets.by_level) == [
        ("MUNICIPAL", "MUNICIPAL", 4),
        ("PROVINCIAL", "PROVINCIAL", 1),
    ]
    assert _keys(facets.by_kind) == [("DEPARTMENT", "DEPARTMENT", 4), ("BASE", "BASE", 1)]
    narrowed = await category_store.facets(
        ResourceFilter(
            update_cycles=frozenset({UpdateCycle.MONTHLY}), levels=frozenset({Level.MUNICIPAL})
        )
    )
    assert _keys(narrowed.by_open_to_public) == [("false", "false", 1), ("true", "true", 1)]
    assert _keys(narrowed.by_share_mode) == [("INTERFACE", "INTERFACE", 2)]
    searched = await category_store.facets(ResourceFilter(category="301001"), search="户籍")
    assert sum(f.count for f in searched.by_level) == 3
    assert _keys(searched.by_category) == [
        ("301001001", "户籍", 2),
        ("3010010011", "3010010011", 1),
    ]


async def test_a_category_that_is_no_tree_node_is_refused_naming_the_field(
    store: CatalogStore,
) -> None:
    for wrong in ("30", "3010", "4", "301001001/000001", "3010010010000"):
        with pytest.raises(InvalidValue) as refused:
            await store.find(ResourceFilter(category=wrong), first=1)
        assert refused.value.field == "category"
