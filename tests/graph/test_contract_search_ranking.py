"""Contract: what breaks ties in a search's order, and the words a store learns from its own
catalog (graph.search) — the same on both stores.

- Initials and pinyin rank higher where they spell whole words of the name (``jdc``: 机动车
  before 监督抽检, whose first three initials are j d c too).
- Among entries of equal relevance, the one requested more often (share requests the store
  holds, `graph.sharing`) comes first; relevance still comes before requests.
- A department's or data item's name written to the store becomes one word of its searcher's
  dictionary: looked for as a phrase, no longer as its pieces in any order; a store learns
  it again from what it holds when it opens.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph import CatalogStore, DataItem, Department, ResourceFilter
from graph.audit import AuditEntry, AuditKind
from graph.search import Searcher
from tests.graph import search_reference
from tests.graph.conftest import CHENGDU_INTRANET, OpenStore
from tests.graph.entries import MARKET, code, credit_code, resource
from tests.graph.sharing_data import RECEIVED, conditional_entry, submit_for

EVERY = ResourceFilter()
JINJIANG = "锦江区住房建设局"


async def test_initials_of_whole_words_rank_above_initials_across_words(
    store: CatalogStore,
) -> None:
    await store.apply(
        [
            resource(code(1), name="食品监督抽检结果信息", summary="其他"),  # j d c j …
            resource(code(2), name="机动车登记信息", summary="其他"),  # jdc: 机动车
        ]
    )
    page = await store.find(EVERY, search="jdc")
    assert [e.code for e in page.items] == [code(2), code(1)]
    assert page.scores[0] > page.scores[1]
    page = await store.find(EVERY, search="jidongche")
    assert [e.code for e in page.items] == [code(2)]


def _request_audit(subject: str) -> AuditEntry:
    return AuditEntry(
        AuditKind.SHARE_REQUEST,
        MARKET.code,
        "submit",
        subject=subject,
        version_before=None,
        version_after=1,
        at=RECEIVED,
    )


async def _request(store: CatalogStore, entry_code: str, n: int) -> None:
    request = submit_for(
        conditional_entry(entry_code, name="户籍人口信息"),
        RECEIVED + timedelta(hours=n),
        id=f"req-{entry_code[-3:]}-{n}",
    )
    await store.create_share_request(request, [_request_audit(request.id)])


async def test_the_entry_requested_more_often_comes_first_among_equals(
    store: CatalogStore,
) -> None:
    codes = [f"101001001/{n:06d}" for n in (10, 11, 12)]
    exact = "101001001/000013"
    await store.apply(
        [conditional_entry(c, name="户籍人口信息") for c in codes]
        + [conditional_entry(exact, name="户籍人口")]
    )
    before = await store.find(EVERY, search="户籍人口")
    assert [e.code for e in before.items] == [exact, *codes]  # ties by code
    for n in range(2):
        await _request(store, codes[2], n)
    await _request(store, codes[1], 0)
    page = await store.find(EVERY, search="户籍人口")
    # The exact name first, requested or not; then by requests: 2, 1, 0.
    assert [e.code for e in page.items] == [exact, codes[2], codes[1], codes[0]]
    relevance = before.scores[1]
    assert page.scores[1:] == (relevance + 2 / 3, relevance + 1 / 2, relevance)
    # The count outlives an update of the entry, and a cursor pages through the fractions.
    await store.apply([conditional_entry(codes[2], name="户籍人口信息", version=2)])
    seen, after = [], None
    for _ in range(4):
        one = await store.find(EVERY, search="户籍人口", first=1, after=after)
        seen += [e.code for e in one.items]
        after = one.end_cursor
    assert seen == [exact, codes[2], codes[1], codes[0]]


async def test_a_written_item_name_becomes_one_word_of_the_store_and_stays_one(
    open_store: OpenStore,
) -> None:
    scattered = resource(code(1), name="土地信息", summary="宗地的统一编码和面积")
    item = DataItem("宗地统一编码", "字符型", 19)
    named = resource(code(2), name="土地登记信息", summary="其他", items=(item,))
    async with open_store(CHENGDU_INTRANET) as store:
        await store.apply([scattered])
        # Unknown, 宗地统一编码 is four words (宗, 地, 统一, 编码) in any order.
        plan = store.searcher.read("宗地统一编码")
        assert plan is not None
        assert len(plan.groups) == 4
        assert [e.code for e in (await store.find(EVERY, search="宗地统一编码")).items] == [code(1)]
        await store.apply([named])
        await store.put_departments(
            [Department(credit_code("510104", "MB0000001"), JINJIANG, "510104")]
        )
        plan = store.searcher.read("宗地统一编码")
        assert plan is not None
        assert len(plan.groups) == 1
        found = await store.find(EVERY, search="宗地统一编码")
        assert [e.code for e in found.items] == [code(2)]
        assert store.searcher.cut(JINJIANG) == [JINJIANG]
    # Learned from the store itself when it opens again; the shipped dictionary is untouched.
    async with open_store(CHENGDU_INTRANET) as reopened:
        assert reopened.searcher.cut("宗地统一编码") == ["宗地统一编码"]
        assert reopened.searcher.cut(JINJIANG) == [JINJIANG]
        found = await reopened.find(EVERY, search="宗地统一编码")
        assert [e.code for e in found.items] == [code(2)]
    assert Searcher.shipped().cut("宗地统一编码") == ["宗", "地", "统一", "编码"]
    assert not Searcher.shipped().learned


@pytest.mark.parametrize("text", ["AB", "人", "很长很长很长很长很长很长很长", "公安 局"])
def test_only_words_of_two_to_twelve_han_characters_are_learned(text: str) -> None:
    searcher = Searcher.shipped().learning()
    searcher.learn([text])
    assert not searcher.learned


async def test_a_common_word_of_the_body_pages_in_the_reference_order(
    store: CatalogStore,
) -> None:
    """Many hits alike (the word only in the body, where Neo4j reads them along the code
    index): kinds, requests and codes order them, page after page, as the reference does."""
    fronts = ("101001001", "201001001", "301001001")
    entries = [
        resource(
            code(n, front),
            name=f"业务系统{n}号台账",
            summary="其他",
            format_type="Oracle",
            themes=frozenset({"社会保障"}) if front == fronts[1] else frozenset(),
        )
        for front in fronts
        for n in range(1, 9)
    ]
    entries.append(resource(code(20), name="Oracle数据库清单", summary="其他"))
    entries.append(resource(code(21), name="网格台账", summary="其他"))  # not a hit
    await store.apply(entries)
    requested = {code(5, fronts[1]): 2, code(7, fronts[2]): 1, code(3, fronts[0]): 1}
    for entry_code, times in requested.items():
        for n in range(times):
            await _request(store, entry_code, n)
    plan = store.searcher.read("oracle")
    assert plan is not None
    expected = search_reference.ranked(plan, entries, requested)
    seen, after = [], None
    while True:
        page = await store.find(EVERY, search="oracle", first=4, after=after)
        assert page.total_count == len(expected)
        seen += [e.code for e in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == expected
    assert seen[0] == code(20)  # the name first
    assert seen[1] == code(3, fronts[0])  # then the base entries, the requested one first


async def test_a_single_character_pages_through_every_tier_in_the_reference_order(
    store: CatalogStore,
) -> None:
    """人 named exactly, as a whole word of the name (驾驶人), inside a word (人口, many and
    lying together late in code order: Neo4j gives up walking the code index for them and
    ranks them, then walks from the cursor), and in the summary only; some requested: kinds,
    requests and codes order them page after page as the reference does, and every page
    counts them all."""
    fronts = ("101001001", "201001001", "301001001")
    entries = [resource(code(1, fronts[2]), name="人", summary="其他")]
    entries += [
        resource(
            code(n, front),
            name=f"驾驶人考试信息{n}",
            summary="其他",
            themes=frozenset({"社会保障"}) if front == fronts[1] else frozenset(),
        )
        for front in fronts[:2]
        for n in range(2, 6)
    ]
    entries += [resource(code(n, fronts[2]), name=f"人口基础信息{n}") for n in range(10, 80)]
    entries += [
        resource(code(n, fronts[0]), name=f"户籍台账{n}", summary="人员名单") for n in range(80, 90)
    ]
    await store.apply(entries)
    requested = {code(40, fronts[2]): 1, code(85, fronts[0]): 2, code(3, fronts[1]): 1}
    for entry_code, times in requested.items():
        for n in range(times):
            await _request(store, entry_code, n)
    plan = store.searcher.read("人")
    assert plan is not None
    expected = search_reference.ranked(plan, entries, requested)
    seen, after = [], None
    while True:
        page = await store.find(EVERY, search="人", first=2, after=after)
        assert page.total_count == len(expected)
        seen += [e.code for e in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == expected
    assert seen[:2] == [code(1, fronts[2]), code(2, fronts[0])]  # exact, then a whole word
    assert seen.index(code(40, fronts[2])) < seen.index(code(10, fronts[2]))  # requested


async def test_a_word_found_through_a_synonym_in_the_body_pages_in_the_reference_order(
    store: CatalogStore,
) -> None:
    """Hits not found in the name, in both tiers Neo4j reads them by (the word as typed in the
    body: api; only its synonym: 接口), common and lying together or apart in code order,
    some requested, below the name hits: kinds, requests and codes order them page after
    page as the reference does, and every page counts them all."""
    fronts = ("101001001", "201001001", "301001001")
    entries = [resource(code(1, fronts[2]), name="API目录", summary="其他")]
    theme = frozenset({"社会保障"})
    entries += [
        resource(
            code(n, front),
            name=f"业务台账{n}",
            summary="开放接口",
            format_type="Oracle",
            themes=theme if front == fronts[1] else frozenset(),
        )
        for front in fronts
        for n in range(2, 12)
    ]
    entries += [
        resource(code(n, fronts[1]), name=f"网格台账{n}", summary="提供 API 查询", themes=theme)
        for n in range(20, 26)
    ]
    entries.append(resource(code(30), name="网格名册", summary="其他"))  # not a hit
    await store.apply(entries)
    requested = {code(4, fronts[0]): 1, code(22, fronts[1]): 2, code(9, fronts[2]): 1}
    for entry_code, times in requested.items():
        for n in range(times):
            await _request(store, entry_code, n)
    for search in ("API", "api 台账"):
        plan = store.searcher.read(search)
        assert plan is not None
        expected = search_reference.ranked(plan, entries, requested)
        seen, after = [], None
        while True:
            page = await store.find(EVERY, search=search, first=4, after=after)
            assert page.total_count == len(expected)
            seen += [e.code for e in page.items]
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert seen == expected, search
        assert (seen[0] == code(1, fronts[2])) is (search == "API")  # the name hit first
