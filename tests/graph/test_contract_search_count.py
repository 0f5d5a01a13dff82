"""Contract: a search counts its hits up to `graph.queries.MAX_COUNTED` — past that, its total
is `MAX_COUNTED` and says it is a lower bound — and pages in the reference order all the same,
on both stores.

Defect class: a store whose count is cut short reading its tiers by that count (Neo4j reads
the hits not found in the name by how many there are): a tier skipped or read out of order
once the count stops.
"""

from __future__ import annotations

from graph import CatalogStore, ResourceFilter
from graph.queries import MAX_COUNTED
from tests.graph import search_reference
from tests.graph.entries import code, resource

EVERY = ResourceFilter()
PAGES = 3


async def test_a_search_finding_more_than_it_counts_says_at_least_and_pages_in_order(
    store: CatalogStore,
) -> None:
    # 人 inside a word of a few names (驾驶人), and in the summary of more entries than a
    # search counts; 台账 in their names.
    entries = [
        resource(code(n, "101001001"), name=f"驾驶人考试信息{n}", summary="其他")
        for n in range(1, 4)
    ]
    entries += [
        resource(code(n, "301001001"), name=f"户籍台账{n}", summary="人员名单")
        for n in range(1, MAX_COUNTED + 20)
    ]
    await store.apply(entries)
    # One word read a tier at a time on Neo4j (台账: a whole word of 1,019 names, a tier so
    # common that it is read along the code index); two words ranked, the body's hits in tiers.
    for search in ("人", "台账", "人员 台账"):
        plan = store.searcher.read(search)
        assert plan is not None
        expected = search_reference.ranked(plan, entries, {})
        assert len(expected) > MAX_COUNTED
        seen, after = [], None
        for _ in range(PAGES):
            page = await store.find(EVERY, search=search, first=20, after=after)
            assert (page.total_count, page.total_is_lower_bound) == (MAX_COUNTED, True)
            assert page.has_next_page
            seen += [e.code for e in page.items]
            after = page.end_cursor
        assert seen == expected[: 20 * PAGES], search
        counted = await store.find(EVERY, search=search, first=0)
        assert (counted.total_count, counted.total_is_lower_bound) == (MAX_COUNTED, True)
    fewer = await store.find(EVERY, search="驾驶人")
    assert (fewer.total_count, fewer.total_is_lower_bound) == (3, False)
    many = await store.find(EVERY, search="台账", first=0)
    assert (many.total_count, many.total_is_lower_bound) == (MAX_COUNTED, True)
