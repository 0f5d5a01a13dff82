"""Discovery over HTTP: the catalog tree, filtered and searched pages, one entry in full,
departments, themes and facets — as an anonymous caller of the 成都 intranet instance."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation.catalog import (
    CLINICS,
    FLOATING,
    HOUSEHOLD,
    JINJIANG_COPY,
    MARKET_ENTITIES,
    POLICE_DRAFT,
    POPULATION_BASE,
    PUBLISHED_CODES,
    WELFARE_THEME,
)
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import HEALTH, JINJIANG, MARKET, POLICE

RESOURCES = """
query ($filter: ResourceFilterInput, $search: String, $first: Int = 20, $after: String) {
  resources(filter: $filter, search: $search, first: $first, after: $after) {
    totalCount
    edges { cursor node { code name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def codes(gql: GraphQLCaller, **variables: Any) -> list[str]:
    page = data(await gql(RESOURCES, variables))["resources"]
    return [edge["node"]["code"] for edge in page["edges"]]


async def test_catalogs_form_a_tree_with_counts(gql: GraphQLCaller) -> None:
    query = """{ catalogs { id level ownCount totalCount
                  children { id totalCount children { id ownCount totalCount
                    children { id level ownCount totalCount } } } } }"""
    (nation,) = data(await gql(query))["catalogs"]
    assert (nation["id"], nation["level"], nation["totalCount"]) == (
        "national/intranet",
        "NATIONAL",
        7,
    )
    sichuan = next(c for c in nation["children"] if c["id"] == "510000/intranet")
    chengdu = next(c for c in sichuan["children"] if c["id"] == "510100/intranet")
    assert (chengdu["ownCount"], chengdu["totalCount"]) == (6, 7)
    assert chengdu["children"] == [
        {"id": "510104/intranet", "level": "COUNTY", "ownCount": 1, "totalCount": 1}
    ]


async def test_catalogs_by_level_and_region(gql: GraphQLCaller) -> None:
    municipal = data(await gql("{ catalogs(level: MUNICIPAL) { id } }"))["catalogs"]
    assert {c["id"] for c in municipal} == {"510100/intranet", "510700/intranet"}
    sichuan = data(await gql('{ catalogs(region: "510000") { id } }'))["catalogs"]
    assert {c["id"] for c in sichuan} == {
        "510000/intranet",
        "510100/intranet",
        "510104/intranet",
        "510700/intranet",
    }


async def test_one_catalog_with_its_parent(gql: GraphQLCaller) -> None:
    query = '{ catalog(id: "510104/intranet") { name zone parentId parent { id parent { id } } } }'
    catalog = data(await gql(query))["catalog"]
    assert catalog == {
        "name": "锦江区政务信息资源目录（内网）",
        "zone": "INTRANET",
        "parentId": "510100/intranet",
        "parent": {"id": "510100/intranet", "parent": {"id": "510000/intranet"}},
    }
    assert data(await gql('{ catalog(id: "999999/intranet") { id } }'))["catalog"] is None


async def test_resources_lists_published_entries_by_code(gql: GraphQLCaller) -> None:
    page = data(await gql(RESOURCES))["resources"]
    assert page["totalCount"] == len(PUBLISHED_CODES)
    listed = [edge["node"]["code"] for edge in page["edges"]]
    assert listed == sorted(PUBLISHED_CODES)
    assert page["pageInfo"] == {"hasNextPage": False, "endCursor": page["edges"][-1]["cursor"]}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"level": ["COUNTY"]}, {JINJIANG_COPY}),
        ({"level": ["MUNICIPAL"]}, PUBLISHED_CODES - {JINJIANG_COPY}),
        ({"region": "510104"}, {JINJIANG_COPY}),
        ({"region": "510100"}, PUBLISHED_CODES),
        ({"region": "510700"}, set()),
        ({"provider": MARKET.code}, {MARKET_ENTITIES}),
        ({"provider": JINJIANG.code}, {JINJIANG_COPY}),
        ({"theme": "社会保障"}, {HOUSEHOLD, WELFARE_THEME, JINJIANG_COPY}),
        ({"kind": ["BASE"]}, {POPULATION_BASE}),
        ({"kind": ["THEME", "BASE"]}, {POPULATION_BASE, WELFARE_THEME}),
        ({"shareType": ["CONDITIONAL"]}, {FLOATING}),
        ({"shareType": ["NONE"]}, {CLINICS}),
        ({"shareMode": "ONLINE_QUERY"}, {MARKET_ENTITIES}),
        ({"shareMode": "BATCH_DOWNLOAD"}, {FLOATING}),
        ({"openToPublic": True}, {MARKET_ENTITIES}),
        ({"updateCycle": ["MONTHLY", "YEARLY"]}, {FLOATING, CLINICS}),
        ({"state": ["PUBLISHED"]}, PUBLISHED_CODES),
        ({"catalog": "510104/intranet"}, {JINJIANG_COPY}),
        ({"provider": POLICE.code, "kind": ["DEPARTMENT"]}, {HOUSEHOLD, FLOATING}),
    ],
)
async def test_each_filter(gql: GraphQLCaller, where: dict[str, Any], expected: set[str]) -> None:
    assert set(await codes(gql, filter=where)) == expected


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"region": "5101"}, "filter.region"),
        ({"provider": "11510100MB0000001X"}, "filter.provider"),
        ({"theme": "天气"}, "filter.theme"),
    ],
)
async def test_malformed_filters_are_refused_naming_the_field(
    gql: GraphQLCaller, where: dict[str, Any], field: str
) -> None:
    error = only_error(await gql(RESOURCES, {"filter": where}))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    assert error["extensions"]["field"] == field
    assert error["extensions"]["accepted"]


async def test_pages_follow_cursors_to_the_end(gql: GraphQLCaller) -> None:
    seen: list[str] = []
    after = None
    for _ in range(5):
        page = data(await gql(RESOURCES, {"first": 3, "after": after}))["resources"]
        assert page["totalCount"] == len(PUBLISHED_CODES)
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(PUBLISHED_CODES)


async def test_an_edge_cursor_resumes_after_that_edge(gql: GraphQLCaller) -> None:
    first = data(await gql(RESOURCES, {"first": 4}))["resources"]["edges"]
    resumed = await codes(gql, first=2, after=first[1]["cursor"])
    assert resumed == [first[2]["node"]["code"], first[3]["node"]["code"]]


async def test_a_foreign_cursor_is_refused(gql: GraphQLCaller) -> None:
    error = only_error(await gql(RESOURCES, {"after": "not-a-cursor"}))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    assert error["extensions"]["field"] == "after"


def test_a_cursor_across_instances_nested_too_deep_is_refused() -> None:
    from federation.discovery import Position
    from graph import InvalidValue
    from tests.graph.test_contract_find import DEEP_CURSOR

    with pytest.raises(InvalidValue, match="after"):  # once a RecursionError
        Position.decode(DEEP_CURSOR)


async def test_search_in_chinese_finds_two_character_words_in_relevance_order(
    gql: GraphQLCaller,
) -> None:
    query = """query ($search: String) { resources(search: $search) {
        totalCount edges { score node { code } } } }"""
    page = data(await gql(query, {"search": "人口"}))["resources"]
    found = [edge["node"]["code"] for edge in page["edges"]]
    assert set(found) == {POPULATION_BASE, HOUSEHOLD, FLOATING, WELFARE_THEME}
    assert page["totalCount"] == 4
    scores = [edge["score"] for edge in page["edges"]]
    assert scores == sorted(scores, reverse=True)
    assert all(score is not None for score in scores)
    # Every word must match, in any order (the base library's summary says 汇聚户籍与流动人口;
    # the floating population's, 居住登记).
    assert set(await codes(gql, search="流动人口")) == {FLOATING, POPULATION_BASE}
    assert await codes(gql, search="流动登记") == [FLOATING]
    assert await codes(gql, search="流动 税务") == []
    assert await codes(gql, search="低保", filter={"region": "510104"}) == [JINJIANG_COPY]
    assert await codes(gql, search="天气预报") == []


async def test_search_pages_follow_relevance(gql: GraphQLCaller) -> None:
    everything = await codes(gql, search="人口")
    first = data(await gql(RESOURCES, {"search": "人口", "first": 2}))["resources"]
    rest = await codes(gql, search="人口", first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["code"] for e in first["edges"]] + rest == everything


RESOURCE = """
query ($code: String!) {
  resource(code: $code) {
    code name summary kind formatClass formatType shareType shareCondition legalBasis
    shareModes openToPublic openCondition updateCycle classification state version origin
    providerCode providerName relatedCodes
    items { name dataType length isBaseItem shareType }
    provider { code name regionCode }
    themes { name resourceCount }
    categories { code name rank }
    catalog { id }
    catalogPath { id level }
    related { code name }
  }
}
"""


async def test_a_resource_in_full(gql: GraphQLCaller) -> None:
    entry = data(await gql(RESOURCE, {"code": HOUSEHOLD}))["resource"]
    assert entry["name"] == "户籍人口信息"
    assert (entry["kind"], entry["shareType"], entry["state"]) == (
        "DEPARTMENT",
        "UNCONDITIONAL",
        "PUBLISHED",
    )
    assert entry["items"][0] == {
        "name": "公民身份号码",
        "dataType": "字符型",
        "length": 18,
        "isBaseItem": False,
        "shareType": "UNCONDITIONAL",
    }
    assert entry["provider"] == {
        "code": POLICE.code,
        "name": "成都市公安局",
        "regionCode": "510100",
    }
    assert entry["themes"] == [{"name": "社会保障", "resourceCount": 3}]
    assert entry["categories"] == [
        {"code": "3", "name": "部门信息资源", "rank": "CLASS"},
        {"code": "301", "name": "公安", "rank": "ITEM"},
        {"code": "301001", "name": "人口管理", "rank": "CATALOG"},
        {"code": "301001001", "name": "户籍管理", "rank": "DETAIL"},
    ]
    assert entry["catalog"] == {"id": "510100/intranet"}
    assert entry["catalogPath"] == [
        {"id": "510100/intranet", "level": "MUNICIPAL"},
        {"id": "510000/intranet", "level": "PROVINCIAL"},
        {"id": "national/intranet", "level": "NATIONAL"},
    ]


async def test_an_aggregated_copy_names_its_own_catalog_first(gql: GraphQLCaller) -> None:
    entry = data(await gql(RESOURCE, {"code": JINJIANG_COPY}))["resource"]
    assert entry["origin"] == "510104/intranet"
    assert [c["id"] for c in entry["catalogPath"]] == [
        "510104/intranet",
        "510100/intranet",
        "510000/intranet",
        "national/intranet",
    ]
    assert entry["provider"]["name"] == JINJIANG.name


async def test_related_entries_show_only_what_the_caller_may_see(gql: GraphQLCaller) -> None:
    entry = data(await gql(RESOURCE, {"code": MARKET_ENTITIES}))["resource"]
    # POLICE_DRAFT is related too, but a draft is shown to its own department only.
    assert entry["related"] == [{"code": HOUSEHOLD, "name": "户籍人口信息"}]


async def test_a_not_shared_entry_shows_its_legal_basis(gql: GraphQLCaller) -> None:
    entry = data(await gql(RESOURCE, {"code": CLINICS}))["resource"]
    assert (entry["shareType"], entry["legalBasis"], entry["shareModes"]) == (
        "NONE",
        "《医疗机构管理条例》",
        [],
    )
    assert entry["categories"][-1] == {"code": "303001001", "name": None, "rank": "DETAIL"}


async def test_unknown_drafts_and_malformed_codes(gql: GraphQLCaller) -> None:
    assert data(await gql(RESOURCE, {"code": "309001001/000001"}))["resource"] is None
    assert data(await gql(RESOURCE, {"code": POLICE_DRAFT}))["resource"] is None
    error = only_error(await gql(RESOURCE, {"code": "301-1"}))
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("INVALID_VALUE", "code")


async def test_departments_with_counts(gql: GraphQLCaller) -> None:
    listed = data(await gql("{ departments { code name resourceCount } }"))["departments"]
    counts = {d["name"]: d["resourceCount"] for d in listed}
    assert counts["成都市公安局"] == 3
    assert counts["成都市卫生健康委员会"] == 2
    assert counts["四川省统计局"] == 0
    assert [d["code"] for d in listed] == sorted(d["code"] for d in listed)
    query = "query ($codes: [String!]) { departments(codes: $codes) { name } }"
    some = data(await gql(query, {"codes": [HEALTH.code, MARKET.code]}))["departments"]
    assert {d["name"] for d in some} == {HEALTH.name, MARKET.name}
    one = data(await gql(f'{{ department(code: "{MARKET.code}") {{ name }} }}'))["department"]
    assert one == {"name": MARKET.name}


async def test_themes_with_counts(gql: GraphQLCaller) -> None:
    themes = data(await gql("{ themes { name resourceCount } }"))["themes"]
    counts = {t["name"]: t["resourceCount"] for t in themes}
    assert len(counts) == 12
    assert (counts["社会保障"], counts["信用体系"], counts["安全生产"]) == (3, 1, 0)


async def test_facets_count_what_a_filter_and_search_select(gql: GraphQLCaller) -> None:
    query = """query ($filter: ResourceFilterInput, $search: String) {
      facets(filter: $filter, search: $search) {
        byProvider { key label count } byTheme { key count } byShareType { key count } } }"""
    everything = data(await gql(query))["facets"]
    assert {f["key"]: f["count"] for f in everything["byShareType"]} == {
        "UNCONDITIONAL": 5,
        "CONDITIONAL": 1,
        "NONE": 1,
    }
    searched = data(await gql(query, {"search": "人口", "filter": {"kind": ["DEPARTMENT"]}}))
    by_provider = searched["facets"]["byProvider"]
    assert by_provider == [{"key": POLICE.code, "label": POLICE.name, "count": 2}]


async def test_a_category_filters_and_the_facets_count_one_rank_below_it(
    gql: GraphQLCaller,
) -> None:
    query = """query ($filter: ResourceFilterInput) {
      resources(filter: $filter, first: 20) { totalCount edges { node { code } } }
      facets(filter: $filter) { byCategory { key label count } byLevel { key count }
        byShareMode { key count } byUpdateCycle { key count } byOpenToPublic { key count }
        byKind { key count } } }"""
    top = data(await gql(query))["facets"]
    assert {f["key"]: f["label"] for f in top["byCategory"]} == {
        "1": "基础信息资源",
        "2": "主题信息资源",
        "3": "部门信息资源",
    }
    assert sum(f["count"] for f in top["byKind"]) == len(PUBLISHED_CODES)
    assert {f["key"]: f["count"] for f in top["byOpenToPublic"]}["true"] == 1
    police = data(await gql(query, {"filter": {"category": "301001"}}))
    found = {e["node"]["code"] for e in police["resources"]["edges"]}
    assert found == {HOUSEHOLD, FLOATING, JINJIANG_COPY}
    assert police["facets"]["byCategory"] == [{"key": "301001001", "label": "户籍管理", "count": 3}]
    cycles = {f["key"]: f["count"] for f in police["facets"]["byUpdateCycle"]}
    assert cycles["MONTHLY"] == 1
    wrong = await gql(query, {"filter": {"category": "30"}})
    assert only_error(wrong)["extensions"]["field"] == "filter.category"
