"""Contract: full-text search finds two-character Chinese words (Neo4j's ``cjk`` analyzer
indexes bigrams) and both stores find exactly the same entries: an entry matches when it has
every token of the search in its name or summary."""

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
    # 人口信息 has the bigram 口信, which no entry has: every token is required.
    "a-bigram-spanning-two-words": ("人口信息", []),
    "words-of-the-summary": ("卫生服务", [HOSPITALS]),
    "words-of-name-and-summary-together": ("医疗 卫生", [HOSPITALS]),
    "words-with-punctuation-between": ("登记、注册", [LEGAL_PERSON]),
    "latin-words-ignore-case": ("gis layers", [ROADS]),
    "full-width-latin-folded": ("ＧＩＳ", [ROADS]),
    "numbers": ("2024", [ROADS]),
    # A lone character is a unigram; the index holds bigrams of longer runs: nothing.
    "single-character": ("人", []),
    "english-stop-words-only": ("the of and", []),
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


async def test_search_and_filter_together(searchable: CatalogStore) -> None:
    published = await searchable.find(ResourceFilter(), search="人口")
    every = await searchable.find(ResourceFilter(states=frozenset()), search="人口")
    drafts = await searchable.find(
        ResourceFilter(states=frozenset({LifecycleState.DRAFT})), search="人口"
    )
    assert [e.code for e in published.items] == [POPULATION]
    assert sorted(e.code for e in every.items) == [POPULATION, DRAFT]
    assert [e.code for e in drafts.items] == [DRAFT]


async def test_more_occurrences_rank_first(store: CatalogStore) -> None:
    """Relevance, best first: of two entries of equal length, the one naming the word more
    often scores higher; entries without it are not found at all."""
    await store.apply(
        [
            resource(code(10), name="社保数据", summary="其他其他"),
            resource(code(11), name="社保数据", summary="社保社保"),
            resource(code(12), name="税务数据", summary="其他其他"),
            resource(code(13), name="气象数据", summary="其他其他"),
        ]
    )
    page = await store.find(ResourceFilter(), search="社保")
    assert [e.code for e in page.items] == [code(11), code(10)]
    assert page.scores[0] > page.scores[1]


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
