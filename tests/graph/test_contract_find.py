"""Contract: `find` selects by every field of `ResourceFilter` and pages with cursors that never
skip or repeat an entry, whatever the page size."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from graph import (
    CatalogStore,
    InvalidValue,
    Level,
    LifecycleState,
    Resource,
    ResourceFilter,
    ResourceKind,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.codes import region_level
from tests.graph.dataset import CATALOG_OF, ENTRIES, codes_where
from tests.graph.entries import HEALTH, TREE

S = LifecycleState
PUBLISHED: Callable[[Resource], bool] = lambda e: e.state is S.PUBLISHED  # noqa: E731
ANY_STATE = frozenset[LifecycleState]()


@pytest.fixture
async def catalogue(store: CatalogStore) -> CatalogStore:
    await store.put_catalogs(TREE)
    await store.apply(ENTRIES)
    return store


def _region(e: Resource) -> str:
    return CATALOG_OF[e.origin].region_code


# id → (the filter, a predicate saying which entries it selects)
FILTERS: dict[str, tuple[ResourceFilter, Callable[[Resource], bool]]] = {
    "published-by-default": (ResourceFilter(), PUBLISHED),
    "every-state": (ResourceFilter(states=ANY_STATE), lambda e: True),
    "drafts": (ResourceFilter(states=frozenset({S.DRAFT})), lambda e: e.state is S.DRAFT),
    "submitted-or-retired": (
        ResourceFilter(states=frozenset({S.SUBMITTED, S.RETIRED})),
        lambda e: e.state in {S.SUBMITTED, S.RETIRED},
    ),
    "level-municipal": (
        ResourceFilter(levels=frozenset({Level.MUNICIPAL})),
        lambda e: PUBLISHED(e) and region_level(_region(e)) is Level.MUNICIPAL,
    ),
    "level-national-or-county": (
        ResourceFilter(levels=frozenset({Level.NATIONAL, Level.COUNTY})),
        lambda e: PUBLISHED(e) and _region(e) in {"100000", "510104"},
    ),
    "region-chengdu-and-its-districts": (
        ResourceFilter(region_code="510100"),
        lambda e: PUBLISHED(e) and _region(e) in {"510100", "510104"},
    ),
    "region-sichuan-and-below": (
        ResourceFilter(region_code="510000"),
        lambda e: PUBLISHED(e) and _region(e) in {"510000", "510100", "510104", "510700"},
    ),
    "region-jinjiang": (
        ResourceFilter(region_code="510104"),
        lambda e: PUBLISHED(e) and _region(e) == "510104",
    ),
    "region-nation-is-everything": (ResourceFilter(region_code="100000"), PUBLISHED),
    "catalog": (
        ResourceFilter(catalog_id="510700/intranet", states=ANY_STATE),
        lambda e: e.origin == "510700/intranet",
    ),
    "provider": (
        ResourceFilter(provider_code=HEALTH.code),
        lambda e: PUBLISHED(e) and e.provider_code == HEALTH.code,
    ),
    "theme": (
        ResourceFilter(theme="健康保障", states=ANY_STATE),
        lambda e: "健康保障" in e.themes,
    ),
    "kind-base-or-theme": (
        ResourceFilter(kinds=frozenset({ResourceKind.BASE, ResourceKind.THEME})),
        lambda e: PUBLISHED(e) and e.kind is not ResourceKind.DEPARTMENT,
    ),
    "share-type-not-shared": (
        ResourceFilter(share_types=frozenset({ShareType.NONE}), states=ANY_STATE),
        lambda e: e.share_type is ShareType.NONE,
    ),
    "share-mode-interface": (
        ResourceFilter(share_mode=ShareMode.INTERFACE),
        lambda e: PUBLISHED(e) and ShareMode.INTERFACE in e.share_modes,
    ),
    "open-to-public": (
        ResourceFilter(open_to_public=True),
        lambda e: PUBLISHED(e) and e.open_to_public,
    ),
    "not-open-to-public": (
        ResourceFilter(open_to_public=False),
        lambda e: PUBLISHED(e) and not e.open_to_public,
    ),
    "update-cycle": (
        ResourceFilter(update_cycles=frozenset({UpdateCycle.DAILY, UpdateCycle.YEARLY})),
        lambda e: PUBLISHED(e) and e.update_cycle in {UpdateCycle.DAILY, UpdateCycle.YEARLY},
    ),
    "combined": (
        ResourceFilter(
            region_code="510000",
            share_types=frozenset({ShareType.UNCONDITIONAL, ShareType.CONDITIONAL}),
            states=ANY_STATE,
        ),
        lambda e: _region(e).startswith("51") and e.share_type is not ShareType.NONE,
    ),
}


@pytest.mark.parametrize("case", FILTERS, ids=list(FILTERS))
async def test_each_filter_selects_exactly_its_entries(catalogue: CatalogStore, case: str) -> None:
    where, selects = FILTERS[case]
    expected = codes_where(selects)
    assert expected, "the data set should give every filter something to find"
    assert case == "every-state" or len(expected) < len(ENTRIES)
    page = await catalogue.find(where, first=100)
    assert [e.code for e in page.items] == expected  # ordered by code
    assert page.total_count == len(expected)
    assert not page.has_next_page
    assert page.scores == ()


async def test_found_entries_are_whole(catalogue: CatalogStore) -> None:
    page = await catalogue.find(ResourceFilter(states=ANY_STATE), first=100)
    assert page.items == tuple(sorted(ENTRIES, key=lambda e: e.code))


async def test_a_filter_matching_nothing(catalogue: CatalogStore) -> None:
    page = await catalogue.find(ResourceFilter(region_code="440000"))
    assert (page.items, page.total_count, page.has_next_page) == ((), 0, False)
    assert page.end_cursor is None


async def _all_pages(
    store: CatalogStore, where: ResourceFilter, size: int, **search: Any
) -> list[tuple[str, int]]:
    """Walk every page of size `size`; return (code, total) for every entry seen."""
    seen: list[tuple[str, int]] = []
    after = None
    for _ in range(len(ENTRIES) + 2):
        page = await store.find(where, first=size, after=after, **search)
        assert len(page.items) <= size
        seen.extend((e.code, page.total_count) for e in page.items)
        if not page.has_next_page:
            return seen
        assert len(page.items) == size
        after = page.end_cursor
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("size", range(1, 8))
async def test_pages_cover_everything_once_in_code_order(
    catalogue: CatalogStore, size: int
) -> None:
    where = ResourceFilter(states=ANY_STATE)
    seen = await _all_pages(catalogue, where, size)
    assert [c for c, _ in seen] == sorted(e.code for e in ENTRIES)
    assert {total for _, total in seen} == {len(ENTRIES)}


@pytest.mark.parametrize("case", FILTERS, ids=list(FILTERS))
async def test_each_filter_pages_through_its_entries_in_code_order(
    catalogue: CatalogStore, case: str
) -> None:
    """Pages of three: whichever way a store reads a filter's page (along an index in code
    order, sorting the matches, walking the code index), every entry comes once, in order."""
    where, selects = FILTERS[case]
    seen = await _all_pages(catalogue, where, 3)
    assert [c for c, _ in seen] == codes_where(selects)


@pytest.mark.parametrize("size", range(1, 8))
async def test_search_pages_cover_everything_once_in_score_order(
    catalogue: CatalogStore, size: int
) -> None:
    """Many entries tie on score (same words, same length): ties are broken by code, so the
    pages neither skip nor repeat."""
    where = ResourceFilter(states=ANY_STATE)
    full = await catalogue.find(where, search="信息", first=100)
    expected = [e.code for e in full.items]
    assert sorted(expected) == codes_where(lambda e: "信息" in e.name)
    ranked = sorted(zip(full.scores, expected, strict=True), key=lambda p: (-p[0], p[1]))
    assert [c for _, c in ranked] == expected
    assert len(set(full.scores)) < len(full.scores), "the data should have ties"
    seen = await _all_pages(catalogue, where, size, search="信息")
    assert [c for c, _ in seen] == expected
    assert {total for _, total in seen} == {len(expected)}


async def test_page_of_size_zero_counts_only(catalogue: CatalogStore) -> None:
    page = await catalogue.find(ResourceFilter(), first=0)
    assert page.items == ()
    assert page.total_count == len(codes_where(PUBLISHED))
    assert page.has_next_page


@pytest.mark.parametrize("first", [-1, 101])
async def test_page_sizes_out_of_range_are_refused(catalogue: CatalogStore, first: int) -> None:
    with pytest.raises(InvalidValue, match="first"):
        await catalogue.find(ResourceFilter(), first=first)


async def test_a_cursor_not_from_a_page_is_refused(catalogue: CatalogStore) -> None:
    with pytest.raises(InvalidValue, match="after"):
        await catalogue.find(ResourceFilter(), after="not a cursor!")
    with pytest.raises(InvalidValue, match="after"):  # once a RecursionError
        await catalogue.find(ResourceFilter(), after=DEEP_CURSOR)


# Base64 of JSON nested deeper than Python's JSON reader goes.
DEEP_CURSOR = base64.urlsafe_b64encode(b"[" * 5_000 + b"]" * 5_000).decode()


async def test_an_empty_page_past_the_end(catalogue: CatalogStore) -> None:
    last = await catalogue.find(ResourceFilter(), first=100)
    assert last.end_cursor is not None
    after = await catalogue.find(ResourceFilter(), after=last.end_cursor)
    assert (after.items, after.has_next_page) == ((), False)
    assert after.total_count == last.total_count
