"""The extranet's catalog tree through the API (issue 13, defect class 6).

An extranet instance holds copies mirrored from intranet catalogs. Before, its tree showed
them under parentless placeholders named after those intranet catalogs, and its counts were
the same for every caller. Now it shows extranet catalogs only — a copy counts under the
extranet catalog of its origin's level and region — and it counts what the caller may list
(`Viewer.restrict`: an anonymous extranet caller, the entries open to the public; national
第十一条: the outer catalog lists non-classified entries, Sichuan 第二十六条: opened to the
public where possible).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from federation.settings import Settings
from graph import Catalog, CatalogStore, LifecycleState, Zone
from tests.federation.conftest import OpenStore
from tests.federation.support import GraphQLCaller, app_over, data, serve
from tests.graph.entries import POLICE, TREE, code, resource

NATIONAL = Catalog("100000", Zone.EXTRANET, "国家政务信息资源目录（外网）")
SICHUAN = Catalog("510000", Zone.EXTRANET, "四川省政务信息资源目录（外网）", "national/extranet")
CHENGDU = Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet")

MIRRORED = code(2)  # from 510100/intranet, open to the public


async def seed(store: CatalogStore) -> None:
    await store.put_catalogs([NATIONAL, SICHUAN, CHENGDU, *TREE])
    await store.put_departments([POLICE])

    def entry(n: int, origin: str, **overrides: Any) -> Any:
        return resource(code(n), origin=origin, **overrides)

    await store.apply(
        [
            entry(1, CHENGDU.id, open_to_public=True),
            entry(2, "510100/intranet", open_to_public=True),
            entry(3, "510100/intranet"),
            entry(4, "510104/intranet"),
            entry(5, "510000/intranet", open_to_public=True),
            entry(6, "510000/intranet", state=LifecycleState.DRAFT),
        ]
    )


@pytest.fixture
async def ask(open_store: OpenStore, tmp_path: Path) -> AsyncIterator[GraphQLCaller]:
    async with open_store(CHENGDU) as store:
        await seed(store)
        settings = Settings(data_dir=tmp_path, dev_identity_header=True)
        async with serve(app_over(settings, store)) as http:
            yield GraphQLCaller(http)


_NODE = "id name parentId ownCount totalCount"
TREE_QUERY = (
    f"{{ catalogs {{ {_NODE} children {{ {_NODE} children {{ {_NODE} "
    f"children {{ {_NODE} }} }} }} }} }}"
)


def flatten(nodes: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for node in nodes:
        found[node["id"]] = (node["ownCount"], node["totalCount"])
        found.update(flatten(node.get("children") or []))
    return found


async def test_the_extranet_tree_shows_extranet_catalogs_counting_copies_under_them(
    ask: GraphQLCaller,
) -> None:
    roots = data(await ask(TREE_QUERY, department=POLICE.code))["catalogs"]
    assert [(r["id"], r["name"], r["parentId"]) for r in roots] == [
        ("national/extranet", NATIONAL.name, None)
    ]
    assert flatten(roots) == {
        "national/extranet": (0, 5),
        "510000/extranet": (1, 5),
        "510100/extranet": (3, 4),
        "510104/extranet": (1, 1),
    }
    (sichuan,) = roots[0]["children"]
    (chengdu,) = sichuan["children"]
    assert chengdu["name"] == CHENGDU.name
    (jinjiang,) = chengdu["children"]
    assert (jinjiang["id"], jinjiang["parentId"]) == ("510104/extranet", "510100/extranet")


async def test_an_anonymous_caller_counts_only_what_it_may_list(ask: GraphQLCaller) -> None:
    roots = data(await ask(TREE_QUERY))["catalogs"]
    assert flatten(roots) == {
        "national/extranet": (0, 3),
        "510000/extranet": (1, 3),
        "510100/extranet": (2, 2),
        "510104/extranet": (0, 0),
    }
    listed = data(await ask("{ resources { totalCount } }"))["resources"]["totalCount"]
    assert listed == roots[0]["totalCount"]
    one = data(await ask('{ catalog(id: "510100/extranet") { ownCount totalCount } }'))
    assert one["catalog"] == {"ownCount": 2, "totalCount": 2}


async def test_no_intranet_catalog_is_shown_on_the_extranet(ask: GraphQLCaller) -> None:
    by_level = data(await ask("{ catalogs(level: MUNICIPAL) { id zone } }"))["catalogs"]
    assert by_level == [{"id": "510100/extranet", "zone": "EXTRANET"}]
    assert data(await ask('{ catalog(id: "510100/intranet") { id } }'))["catalog"] is None
    query = f'{{ resource(code: "{MIRRORED}") {{ origin catalog {{ id }} catalogPath {{ id }} }} }}'
    entry = data(await ask(query))["resource"]
    assert entry == {
        "origin": "510100/intranet",  # the entry's owner stays said
        "catalog": {"id": "510100/extranet"},
        "catalogPath": [
            {"id": "510100/extranet"},
            {"id": "510000/extranet"},
            {"id": "national/extranet"},
        ],
    }
