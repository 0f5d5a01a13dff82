"""What only the Neo4j store has: its schema, its graph, its driver errors, and the `cjk`
full-text analyzer that `graph.search.tokens` must tokenize exactly like (real server, no mocks).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import pytest
from neo4j import AsyncDriver

from graph import (
    DataItem,
    Direction,
    InvalidValue,
    LifecycleState,
    ResourceFilter,
    StoreUnavailable,
    VersionConflict,
    Zone,
)
from graph.neo4j import Neo4jStore
from graph.neo4j.cypher.writes import ITEM_PROPERTIES, RESOURCE_PROPERTIES
from graph.neo4j.lineage import walk_query
from graph.neo4j.rows import resource_row
from graph.neo4j.schema import FULLTEXT_INDEX, SCHEMA
from graph.rules import check_resource
from graph.search.tokens import lucene_query, tokens
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import code, resource

pytestmark = pytest.mark.neo4j

PROBE_INDEX = "token_probe_text"
EVERY_STATE = ResourceFilter(states=frozenset(LifecycleState))

# Texts on which a tokenizer that only split at spaces and bigrammed Han would go wrong.
CORPUS = (
    "人口基础信息",
    "人",
    "人 口",
    "人口、法人",
    "中华人民共和国",
    "数据、信息；资源",
    "（社会）信用",
    "零售价格监管",
    "二〇二四年统计",
    "々木 〆切",
    "𠀀字",
    "法人单位ABC信息",
    "ABC人口DEF",
    "GB/T 2260 行政区划",
    "COVID-19疫情",
    "IPv6地址",
    "2024年 数据1.0版",
    "ＡＢＣ１２３全角 Ａ：Ｂ １，０００",
    "ｅ证通 ｗｗｗ站点",
    "The rate of the city",
    "no such as www",
    "foo_bar baz _x_ y",
    "a:b c 12:30",
    "1,000 元 3,4,5",
    "3.14 v1.2 1.2.3.4",
    "u.s.a e.g. U.S. 美",
    "a.1 x 1.a b",
    "don't it's O'Reilly a’b",
    "email@example.com http://www.gov.cn",
    "x² ①号 Ⅲ级",
    "café résumé Straße ΣΑΣ İstanbul",
    "カタカナ テスト ﾃｽﾄ ｶﾞｷﾞ",
    "ひらがな ひらabc",
    "人・口 a・b",
    "한국어 자료 한국abc 한국中文",
    "A&B 公司 C++ C# 3-5",
    "soft\u00adhyphen abc\u0301def",
)


def _expected(query: str) -> set[int]:
    """The corpus entries `graph.search.tokens` says a search for `query` finds: all its tokens."""
    wanted = set(tokens(query))
    return {i for i, text in enumerate(CORPUS) if wanted <= set(tokens(text))}


def _queries() -> list[str]:
    # Every token of the corpus on its own, and every text of it whole.
    return sorted({t for text in CORPUS for t in tokens(text)} | set(CORPUS))


async def _run(driver: AsyncDriver, query: str, **params: Any) -> list[Any]:
    records, _summary, _keys = await driver.execute_query(query, params)
    return list(records)


@pytest.fixture
def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    return neo4j_store


async def test_cjk_analyzer_finds_exactly_what_graph_text_tokens_match(
    driver: AsyncDriver,
) -> None:
    await _run(driver, "MATCH (n:TokenProbe) DETACH DELETE n")
    await _run(driver, f"DROP INDEX {PROBE_INDEX} IF EXISTS")
    await _run(
        driver,
        f"CREATE FULLTEXT INDEX {PROBE_INDEX} IF NOT EXISTS FOR (n:TokenProbe) ON EACH [n.text] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
    )
    try:
        await _run(driver, "CALL db.awaitIndexes(120)")
        await _run(
            driver,
            "UNWIND range(0, size($texts) - 1) AS i CREATE (:TokenProbe {i: i, text: $texts[i]})",
            texts=list(CORPUS),
        )
        differences = []
        for query in _queries():
            lucene = lucene_query(query)
            if lucene is None:
                continue
            (record,) = await _run(
                driver,
                f"CALL db.index.fulltext.queryNodes('{PROBE_INDEX}', $q) YIELD node "
                "RETURN collect(node.i) AS found",
                q=lucene,
            )
            found, expected = set(record["found"]), _expected(query)
            if found != expected:
                differences.append(
                    f"{query!r} ({lucene}): Neo4j finds {[CORPUS[i] for i in sorted(found)]}, "
                    f"graph.search.tokens {[CORPUS[i] for i in sorted(expected)]}"
                )
        assert differences == []
    finally:
        await _run(driver, "MATCH (n:TokenProbe) DETACH DELETE n")
        await _run(driver, f"DROP INDEX {PROBE_INDEX} IF EXISTS")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("人口基础信息", ["人口", "口基", "基础", "础信", "信息"]),
        ("人", ["人"]),
        ("人口 信息", ["人口", "信息"]),
        ("ＡＢＣ１２３", ["abc123"]),
        ("The city of Chengdu", ["city", "chengdu"]),
        ("foo_bar 1,000 3.14 a:b", ["foo_bar", "1,000", "3.14", "a:b"]),
        ("a.1", ["1"]),
        ("x² ①", ["x"]),
        ("二〇二四年", ["二〇", "〇二", "二四", "四年"]),
        ("ﾃｽﾄ", ["テス", "スト"]),
        ("한국abc 한국", ["한국abc", "한국"]),
        ("İ", ["i"]),
    ],
)
def test_tokens_of_the_cases_lucene_decides_differently_from_a_naive_split(
    text: str, expected: list[str]
) -> None:
    assert tokens(text) == expected


async def test_a_graph_of_before_is_reindexed_and_its_cjk_index_dropped_at_open(
    neo4j_server: Any, driver: AsyncDriver, store: Neo4jStore
) -> None:
    """Upgrading: entries written before this search (no search text, the ``cjk`` index, no
    marker saying the search text is current) are found once the store opens again; opening
    once more changes nothing."""
    await store.apply(
        [
            resource(code(1), name="人口基础信息", summary="其他"),
            resource(code(2), name="法人信息", summary="其他"),
        ]
    )
    await _run(
        driver,
        "MATCH (r:Resource) REMOVE r.search_name, r.search_body, r.search_pinyin, "
        "r.search_initials, r.search_words, r.search_version",
    )
    await _run(driver, "MATCH (u:Upgrade) WHERE u.name STARTS WITH 'search_text:' DELETE u")
    await _run(
        driver,
        "CREATE FULLTEXT INDEX resource_text IF NOT EXISTS FOR (r:Resource) "
        "ON EACH [r.name, r.summary] OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
    )
    assert (await store.find(ResourceFilter(), search="人口 信息")).total_count == 0
    # …and the whitespace index of before, without the name's words.
    await _run(driver, "DROP INDEX resource_fulltext")
    await _run(
        driver,
        "CREATE FULLTEXT INDEX resource_search FOR (r:Resource) ON EACH [r.search_name, "
        "r.search_body, r.search_pinyin, r.search_initials] "
        "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    )
    auth = (neo4j_server.user, neo4j_server.password)
    for _ in range(2):
        async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET) as again:
            page = await again.find(ResourceFilter(), search="人口 信息")
            assert [e.code for e in page.items] == [code(1)]
            assert (await again.find(ResourceFilter(), search="renkou")).total_count == 1
            # A search of one word reads the name's words from the new index.
            assert [e.code for e in (await again.find(ResourceFilter(), search="法人")).items] == [
                code(2)
            ]
    names = await _run(driver, "SHOW INDEXES YIELD name RETURN collect(name) AS names")
    assert "resource_text" not in names[0]["names"]
    assert "resource_search" not in names[0]["names"]
    assert "resource_fulltext" in names[0]["names"]


async def test_a_store_whose_search_text_is_current_opens_without_reading_its_entries(
    neo4j_server: Any,
    driver: AsyncDriver,
    store: Neo4jStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding the entries indexed by another version reads every entry (26 s at 1M on a
    cold page cache): once a database's entries are all current, it says so and the next
    open reads none of them — while a marker of another version (an older mulu's, say) is
    replaced by this one's after a reindex."""
    import graph.neo4j.store as store_module
    from graph.neo4j.search import SEARCH_TEXT_CURRENT

    await store.apply([resource(code(1), name="人口基础信息")])
    batches: list[int] = []
    real = store_module.reindex_batch

    async def counted(tx: Any) -> int:
        batches.append(await real(tx))
        return batches[-1]

    monkeypatch.setattr(store_module, "reindex_batch", counted)
    auth = (neo4j_server.user, neo4j_server.password)
    async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET):
        pass
    assert batches == []
    await _run(
        driver,
        "MATCH (u:Upgrade {name: $name}) SET u.name = 'search_text:search-0'",
        name=SEARCH_TEXT_CURRENT,
    )
    await _run(driver, "MATCH (r:Resource) SET r.search_version = 'search-0'")
    async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET) as again:
        assert batches == [1, 0]
        assert [e.code for e in (await again.find(ResourceFilter(), search="人口")).items] == [
            code(1)
        ]
    markers = await _run(
        driver,
        "MATCH (u:Upgrade) WHERE u.name STARTS WITH 'search_text:' RETURN collect(u.name) AS n",
    )
    assert markers[0]["n"] == [SEARCH_TEXT_CURRENT]
    versions = await _run(driver, "MATCH (r:Resource) RETURN collect(r.search_version) AS v")
    assert set(versions[0]["v"]) == {SEARCH_TEXT_CURRENT.split(":", 1)[1]}


async def test_search_reads_the_full_text_index(driver: AsyncDriver, store: Neo4jStore) -> None:
    """EXPLAIN: a search starts from the full-text index (or, for the entries named exactly
    a word, the index on the name), never a scan of every entry."""
    from graph.neo4j.cypher import all_of, fill
    from graph.neo4j.cypher.search import (
        SEARCH_COUNT,
        SEARCH_COUNTED_PAGE,
        SEARCH_TIER,
        SEARCH_TIERS,
    )
    from graph.neo4j.search import lucene_query as plan_query
    from graph.neo4j.search import plan_parameter

    plan = store.searcher.read("人口 信息")
    assert plan is not None
    where = all_of(["r:Published"])
    for statement in (
        fill(SEARCH_COUNTED_PAGE, where=where, after="true"),
        fill(SEARCH_COUNT, where=where),
        fill(SEARCH_TIERS, where=where, after="true"),  # a search of one word
        fill(SEARCH_TIER, where=where, after="true"),
    ):
        result = await driver.execute_query(
            "EXPLAIN " + statement,
            query=plan_query(plan),
            named=plan_query(plan),
            ranked=plan_query(plan),
            in_body=plan_query(plan),
            tier=plan_query(plan),
            name_tier=plan_query(plan),
            plan=plan_parameter(plan),
            limit=21,
            exact_count=0,
            from_code="",
            tier_of=3,
        )
        operators = str(result.summary.plan)
        assert "ProcedureCall" in operators
        assert "AllNodesScan" not in operators
        assert "NodeByLabelScan" not in operators


async def test_schema_is_created_once_and_every_index_is_online(
    neo4j_server: Any, driver: AsyncDriver
) -> None:
    auth = (neo4j_server.user, neo4j_server.password)
    for _ in range(2):  # opening again changes nothing
        async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET) as store:
            await store.ping()
    indexes = await _run(
        driver, "SHOW INDEXES YIELD name, state, type, options RETURN name, state, type, options"
    )
    by_name = {r["name"]: r for r in indexes}
    assert set(SCHEMA) <= set(by_name)
    assert {by_name[name]["state"] for name in SCHEMA} == {"ONLINE"}
    fulltext = by_name[FULLTEXT_INDEX]
    assert fulltext["type"] == "FULLTEXT"
    assert fulltext["options"]["indexConfig"]["fulltext.analyzer"] == "whitespace"
    assert "resource_text" not in by_name  # the cjk index of before is dropped
    constraints = await _run(driver, "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    assert {
        "resource_code",
        "department_code",
        "region_code",
        "catalog_id",
        "category_code",
        "theme_name",
        "tombstone_code",
    } <= set(constraints[0]["names"])


async def test_erase_all_keeps_the_schema_and_the_own_catalog(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    await store.save(resource(), None)
    await store.erase_all()
    assert await store.get(resource().code) is None
    assert [c.id for c in await store.catalogs()] == [CHENGDU_INTRANET.id]
    (record,) = await _run(driver, "SHOW INDEXES YIELD name RETURN collect(name) AS names")
    assert set(SCHEMA) <= set(record["names"])


async def test_an_entry_is_linked_as_the_design_draws_the_graph(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    source = "101001001/000009"
    entry = resource(
        "201003002/000001",
        themes=frozenset({"社会保障"}),
        derived_from=(source,),
        items=(DataItem("姓名", "string", 50), DataItem("身份证号", "string", 18)),
    )
    await store.save(entry, None)
    (record,) = await _run(
        driver,
        """
        MATCH (r:Resource {code: $code})
        RETURN EXISTS { (r)-[:LISTED_IN]->(:Catalog {id: '510100/intranet'}) } AS listed,
               EXISTS { (:Department {code: $provider})-[:PROVIDES]->(r) } AS provided,
               EXISTS { (r)-[:ABOUT]->(:Theme {name: '社会保障'}) } AS about,
               EXISTS { (r)-[:FILED_UNDER]->(:Category {code: '201003002'}) } AS filed,
               COUNT { (r)-[:HAS_ITEM]->(:DataItem) } AS items,
               [(r)-[:DERIVED_FROM]->(s) | [s.code, s.snapshot IS NULL,
                 EXISTS { (s)-[:LISTED_IN]->() }]] AS sources
        """,
        code=entry.code,
        provider=entry.provider_code,
    )
    shape = [record[k] for k in ("listed", "provided", "about", "filed", "items")]
    assert shape == [True, True, True, True, 2]
    # A source held by no catalog here is a placeholder: a code, nothing else.
    assert record["sources"] == [[source, True, False]]
    assert (await store.find(EVERY_STATE)).total_count == 1

    # When the source arrives, it fills the placeholder: one node, the edge kept.
    await store.apply([resource(source, origin="510000/intranet")])
    (record,) = await _run(
        driver,
        "MATCH (s:Resource {code: $code}) RETURN count(s) AS nodes, "
        "COUNT { (s)<-[:DERIVED_FROM]-() } AS derived, s.snapshot IS NOT NULL AS held",
        code=source,
    )
    assert (record["nodes"], record["derived"], record["held"]) == (1, 1, True)
    lineage = await store.lineage(entry.code, Direction.UPSTREAM, 1)
    assert lineage.nodes[source] is not None


_SHAPE = """
MATCH (r:Resource {code: $code})
RETURN [(r)-[e:LISTED_IN]->(c) | [elementId(e), c.id]] AS listed,
       [(d)-[e:PROVIDES]->(r) | [elementId(e), d.code]] AS provided,
       [(r)-[e:FILED_UNDER]->(k) | [elementId(e), k.code]] AS filed,
       [(r)-[e:ABOUT]->(t) | [elementId(e), t.name]] AS about,
       [(r)-[:HAS_ITEM]->(i) | [elementId(i), i.name]] AS items,
       [(r)-[e:DERIVED_FROM]->(s) | [elementId(e), s.code]] AS derived
"""


async def _shape(driver: AsyncDriver, code: str) -> dict[str, list[list[str]]]:
    (record,) = await _run(driver, _SHAPE, code=code)
    return {key: sorted(record[key]) for key in record.keys()}  # noqa: SIM118


async def test_an_update_replaces_only_the_edges_and_items_that_changed(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    first = resource(
        "201003002/000001",
        themes=frozenset({"社会保障"}),
        derived_from=("101001001/000009",),
        items=(DataItem("姓名", "string", 50), DataItem("身份证号", "string", 18)),
    )
    await store.apply([first])
    before = await _shape(driver, first.code)
    # Text and state only: every edge and item is the same element as before.
    renamed = dataclasses.replace(first, version=2, name="户籍人口信息（新）")
    await store.apply([renamed])
    assert await _shape(driver, first.code) == before
    # New items and themes: those are new elements, the other edges stay.
    reitemed = dataclasses.replace(
        renamed, version=3, items=(DataItem("住址", "string", 200),), themes=frozenset({"社区治理"})
    )
    await store.apply([reitemed])
    after = await _shape(driver, first.code)
    for kind in ("listed", "provided", "filed", "derived"):
        assert after[kind] == before[kind]
    assert [name for _, name in after["items"]] == ["住址"]
    assert [name for _, name in after["about"]] == ["社区治理"]
    assert await store.get(first.code) == reitemed


async def test_an_entry_written_before_the_change_keys_existed_is_wholly_replaced(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    first = resource(
        "201003002/000001",
        themes=frozenset({"社会保障"}),
        derived_from=("101001001/000009",),
        items=(DataItem("姓名", "string", 50),),
    )
    await store.apply([first])
    # As an earlier version of the store wrote it: no keys to compare edges and items by.
    await _run(
        driver,
        "MATCH (r:Resource {code: $code}) REMOVE r.items_digest, r.category_code, r.derived_from",
        code=first.code,
    )
    second = dataclasses.replace(
        first, version=2, items=(DataItem("住址", "string", 200),), derived_from=()
    )
    await store.apply([second])
    shape = await _shape(driver, first.code)
    assert [len(shape[k]) for k in ("listed", "provided", "filed", "about")] == [1, 1, 1, 1]
    assert [name for _, name in shape["items"]] == ["住址"]
    assert shape["derived"] == []
    # The old source, now derived from by nothing, went with its edge.
    (record,) = await _run(driver, "MATCH (r:Resource) RETURN collect(r.code) AS codes")
    assert record["codes"] == [first.code]


async def test_placeholders_go_when_nothing_is_derived_from_them(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    derived = resource("201003002/000001", themes=frozenset({"社会保障"}))
    await store.save(dataclasses.replace(derived, derived_from=("101001001/000009",)), None)
    await store.save(dataclasses.replace(derived, version=2), 1)
    (record,) = await _run(driver, "MATCH (r:Resource) RETURN collect(r.code) AS codes")
    assert record["codes"] == [derived.code]


def test_a_new_node_gets_every_property_a_row_carries() -> None:
    entry = resource(items=(DataItem("姓名", "string", 50),))
    row = resource_row(check_resource(entry, Zone.INTRANET))
    assert tuple(row["props"]) == RESOURCE_PROPERTIES
    assert tuple(row["items"][0]) == ITEM_PROPERTIES


async def test_the_depth_is_written_into_the_pattern_only_as_a_checked_number() -> None:
    assert "*0..2]" in walk_query("(a)-[:DERIVED_FROM*0..{hops}]->(b)", 3)
    for depth in (0, 11, "1] DETACH DELETE (a", 2.5):
        with pytest.raises(InvalidValue):
            walk_query("{hops}", depth)  # type: ignore[arg-type]


async def test_concurrent_creations_of_one_code_leave_one_winner(store: Neo4jStore) -> None:
    entries = [resource(name=f"户籍人口信息{n}") for n in range(6)]
    results = await asyncio.gather(*(store.save(e, None) for e in entries), return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1
    assert all(isinstance(r, VersionConflict) for r in lost)
    assert await store.get(resource().code) == won[0]


async def test_concurrent_applies_keep_the_newest_version(store: Neo4jStore) -> None:
    base = resource()
    versions = [dataclasses.replace(base, version=v) for v in (3, 1, 5, 2, 4)]
    await asyncio.gather(*(store.apply([v]) for v in versions))
    held = await store.get(base.code)
    assert held is not None
    assert held.version == 5


async def test_a_batch_is_not_printed_into_the_driver_debug_log(
    store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    # The driver formats each statement's parameters for its debug log even when the level is
    # off; a batch prints as its length, so that formatting costs nothing per row.
    entries = [resource(code(n), name=f"户籍人口信息第{n}批") for n in range(1, 201)]
    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        await store.apply(entries)
    runs = [r.getMessage() for r in caplog.records if "C: RUN" in r.getMessage()]
    assert runs, "the driver logged no RUN at DEBUG"
    assert not [m for m in runs if "户籍人口信息第" in m]
    assert max(map(len, runs)) < 20_000
    assert "<200 rows>" in "".join(runs)
    held = await store.get_many([e.code for e in entries])
    assert sorted(held) == sorted(e.code for e in entries)


async def test_an_unreachable_server_is_store_unavailable_and_retriable() -> None:
    with pytest.raises(StoreUnavailable) as caught:
        async with Neo4jStore.open(
            "bolt://127.0.0.1:1", ("neo4j", "nobody"), catalog=CHENGDU_INTRANET
        ):
            pass
    assert caught.value.retriable
    assert not isinstance(caught.value.__cause__, StoreUnavailable)


async def test_wrong_credentials_are_store_unavailable_not_retriable(neo4j_server: Any) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        async with Neo4jStore.open(
            neo4j_server.uri, (neo4j_server.user, "not-the-password"), catalog=CHENGDU_INTRANET
        ):
            pass
    assert not caught.value.retriable


async def test_a_closed_store_raises_a_domain_error_and_closes_twice_harmlessly(
    neo4j_server: Any,
) -> None:
    auth = (neo4j_server.user, neo4j_server.password)
    async with Neo4jStore.open(neo4j_server.uri, auth, catalog=CHENGDU_INTRANET) as store:
        pass
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.get(resource().code)


async def test_a_catalog_first_named_by_an_origin_still_joins_the_tree(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    await store.put_catalogs([CHENGDU_INTRANET])  # its parent 510000/intranet is unknown yet
    await store.apply([resource("301001001/000007", origin="510000/intranet")])
    (record,) = await _run(
        driver,
        "RETURN EXISTS { (:Catalog {id: $child})-[:PART_OF]->(:Catalog {id: $parent}) } AS linked",
        child=CHENGDU_INTRANET.id,
        parent="510000/intranet",
    )
    assert record["linked"]


async def test_the_published_label_follows_the_state(
    store: Neo4jStore, driver: AsyncDriver
) -> None:
    async def labelled() -> list[str]:
        (record,) = await _run(driver, "MATCH (r:Published) RETURN collect(r.code) AS codes")
        return list(record["codes"])

    entry = resource()
    await store.save(entry, None)
    assert await labelled() == [entry.code]
    await store.save(dataclasses.replace(entry, version=2, state=LifecycleState.DRAFT), 1)
    assert await labelled() == []
    await store.apply([dataclasses.replace(entry, version=3)])
    assert await labelled() == [entry.code]
    await store.redact(entry.code, 4)
    assert await labelled() == []
