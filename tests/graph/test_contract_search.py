"""Contract: search finds what Chinese users expect (graph.search) and both stores find exactly
the same entries, in the same order: an entry matches when its name, summary, items, provider
or format hold every word of the search, in any order, folded alike."""

from __future__ import annotations

import pytest

from graph import CatalogStore, LifecycleState, ResourceFilter, ShareType
from tests.graph.entries import code, resource

POPULATION = code(1)  # 人口基础信息
LEGAL_PERSON = code(2)  # 企业法人登记信息
ROADS = code(3)  # GIS road data, Latin words in the name
HOSPITALS = code(4)  # words only in the summary
DRAFT = code(5)  # 人口 in a draft: found only when drafts are asked for


@pytest.fixture
async def searchable(store: CatalogStore) -> CatalogStore:
    await store.apply(
        [
            resource(POPULATION, name="人口基础信息", summary="全市常住人口的基础信息"),
            resource(LEGAL_PERSON, name="企业法人登记信息", summary="企业的登记注册信息"),
            resource(ROADS, name="城市道路 GIS Layers", summary="Road network of Chengdu, 2024"),
            resource(HOSPITALS, name="医疗机构名录", summary="各级医院、社区卫生服务中心执业登记"),
            resource(
                DRAFT,
                name="流动人口统计",
                summary="流动人口月度统计",
                state=LifecycleState.DRAFT,
                share_type=ShareType.NONE,
                legal_basis="《统计法》",
                share_modes=frozenset(),
            ),
        ]
    )
    return store


SEARCHES: dict[str, tuple[str, list[str]]] = {
    "two-character-word": ("人口", [POPULATION]),
    "another-word": ("法人", [LEGAL_PERSON]),
    "word-in-both": ("信息", [POPULATION, LEGAL_PERSON]),
    "every-bigram-must-match": ("基础信息", [POPULATION]),
    # 人口 and 信息, in any order, anything between.
    "words-in-any-order": ("人口信息", [POPULATION]),
    "words-reversed": ("信息 人口", [POPULATION]),
    "a-word-absent-finds-nothing": ("人口 气象", []),
    "a-quoted-phrase-stays-whole": ('"人口信息"', []),
    "a-quoted-phrase-found-whole": ("“基础信息”", [POPULATION]),
    "words-of-the-summary": ("卫生服务", [HOSPITALS]),
    "words-of-name-and-summary-together": ("医疗 卫生", [HOSPITALS]),
    "words-with-punctuation-between": ("登记、注册", [LEGAL_PERSON]),
    "latin-words-ignore-case": ("gis layers", [ROADS]),
    "full-width-latin-folded": ("ＧＩＳ", [ROADS]),
    "numbers": ("2024", [ROADS]),
    "single-character": ("人", [POPULATION, LEGAL_PERSON]),
    "single-character-of-the-summary": ("院", [HOSPITALS]),
    "traditional-folded": ("人口基礎資訊", [POPULATION]),
    "traditional-of-the-summary": ("醫療機構", [HOSPITALS]),
    "full-width-digits": ("２０２４", [ROADS]),
    "ideographic-space-and-punctuation": ("人口　基础！", [POPULATION]),
    "pinyin-of-the-name": ("renkou", [POPULATION]),
    "initials-of-the-name": ("rkjc", [POPULATION]),
    "pinyin-of-one-syllable-is-not-read-as-pinyin": ("ren", []),
    "two-initials-are-not-read-as-initials": ("rk", []),
    "synonym": ("营业执照", [LEGAL_PERSON]),
    "english-words-every-one-required": ("the of and", []),
    "punctuation-only": ("，。！", []),
    "blank": ("   ", []),
    "absent-word": ("气象", []),
}


@pytest.mark.parametrize("case", SEARCHES, ids=list(SEARCHES))
async def test_search_finds_exactly(searchable: CatalogStore, case: str) -> None:
    text, expected = SEARCHES[case]
    page = await searchable.find(ResourceFilter(), search=text, first=100)
    assert sorted(e.code for e in page.items) == expected
    assert page.total_count == len(expected)
    assert len(page.scores) == len(page.items)
    assert all(score > 0 for score in page.scores)
    facets = await searchable.facets(ResourceFilter(), search=text)
    assert sum(f.count for f in facets.by_share_type) == len(expected)


async def test_search_and_filter_together(searchable: CatalogStore) -> None:
    published = await searchable.find(ResourceFilter(), search="人口")
    every = await searchable.find(ResourceFilter(states=frozenset()), search="人口")
    drafts = await searchable.find(
        ResourceFilter(states=frozenset({LifecycleState.DRAFT})), search="人口"
    )
    assert [e.code for e in published.items] == [POPULATION]
    assert sorted(e.code for e in every.items) == [POPULATION, DRAFT]
    assert [e.code for e in drafts.items] == [DRAFT]


async def test_a_name_match_ranks_above_a_summary_match(store: CatalogStore) -> None:
    await store.apply(
        [
            resource(code(10), name="法人单位信息", summary="含社保缴费记录"),
            resource(code(11), name="社保缴费信息", summary="缴费记录"),
        ]
    )
    page = await store.find(ResourceFilter(), search="社保")
    assert [e.code for e in page.items] == [code(11), code(10)]
    assert page.scores[0] > page.scores[1]


async def test_the_whole_phrase_ranks_above_scattered_words(store: CatalogStore) -> None:
    await store.apply(
        [
            resource(code(10), name="人口流动信息", summary="其他"),
            resource(code(11), name="流动人口信息", summary="其他"),
        ]
    )
    page = await store.find(ResourceFilter(), search="流动 人口")
    assert [e.code for e in page.items] == [code(11), code(10)]


async def test_a_synonym_finds_and_a_name_of_the_word_as_typed_ranks_first(
    store: CatalogStore,
) -> None:
    await store.apply(
        [
            resource(code(10), name="社会保障卡信息", summary="其他"),
            resource(code(11), name="社保卡信息", summary="其他"),
            resource(code(12), name="税务登记信息", summary="其他"),
        ]
    )
    page = await store.find(ResourceFilter(), search="社保卡")
    assert [e.code for e in page.items] == [code(11)]  # 社保卡 is one word: no synonym
    page = await store.find(ResourceFilter(), search="社保 卡")
    assert [e.code for e in page.items] == [code(11), code(10)]


async def test_the_exact_name_ranks_first_and_kind_breaks_ties(store: CatalogStore) -> None:
    await store.apply(
        [
            resource(code(10), name="成都市户籍人口信息（2019年度）", summary="其他"),
            resource(code(11), name="成都市户籍人口信息", summary="其他"),
            resource(code(12), name="成都市户籍人口信息（增量）", summary="其他"),
            # A base library's entry (its code's 类 is 1).
            resource("101001001/000013", name="成都市户籍人口信息（汇总）", summary="其他"),
        ]
    )
    page = await store.find(ResourceFilter(), search="成都市戶籍人口信息")
    assert [e.code for e in page.items] == [code(11), "101001001/000013", code(10), code(12)]


async def test_a_search_too_long_is_refused_naming_the_field(store: CatalogStore) -> None:
    from graph import InvalidValue

    with pytest.raises(InvalidValue, match="search") as refused:
        await store.find(ResourceFilter(), search="人" * 101)
    assert "101 characters" in str(refused.value)
    with pytest.raises(InvalidValue, match="search"):
        await store.facets(ResourceFilter(), search="人" * 101)


async def test_search_follows_updates_and_redactions(store: CatalogStore) -> None:
    first = resource(name="人口基础信息", summary="基础库")
    await store.apply([first])
    renamed = resource(name="法人基础信息", summary="基础库", version=2)
    await store.apply([renamed])
    assert (await store.find(ResourceFilter(), search="人口")).total_count == 0
    assert (await store.find(ResourceFilter(), search="法人")).total_count == 1
    await store.redact(first.code, 3)
    assert (await store.find(ResourceFilter(), search="法人")).total_count == 0


async def test_a_cursor_of_a_plain_listing_is_refused_in_a_search(
    searchable: CatalogStore,
) -> None:
    """A cursor names a position in one ordering; code order and relevance order differ."""
    plain = await searchable.find(ResourceFilter(), first=1)
    assert plain.end_cursor is not None
    from graph import InvalidValue

    with pytest.raises(InvalidValue, match="after"):
        await searchable.find(ResourceFilter(), search="信息", after=plain.end_cursor)
