"""Contract: the judged query set (tests/graph/data/search_queries.json) on both stores.

Every query finds every entry judged relevant to it (a typo through "did you mean"); where the
set names the entry that must come first, it does; and each store's order is the reference
ranking's (tests/graph/search_reference.py) — so the two stores return the same entries in
the same order.
"""

from __future__ import annotations

from collections import Counter

import pytest

from graph import CatalogStore
from graph.sample import generate_catalog, load_sample
from tests.graph import search_reference
from tests.graph.conftest import OpenStore
from tests.graph.search_judged import (
    CATALOG,
    SAMPLE_SEED,
    SAMPLE_SIZE,
    found_codes,
    judged_codes,
    judged_queries,
    sample_entries,
)


def test_the_set_has_at_least_150_queries_of_every_class() -> None:
    classes = Counter(q["class"] for q in judged_queries())
    assert sum(classes.values()) >= 150
    assert set(classes) >= {
        "multi-word", "single-character", "traditional", "full-width", "pinyin",
        "initials", "synonym", "typo", "ascii", "quoted", "exact-name",
    }  # fmt: skip
    assert sum(q["first"] is not None for q in judged_queries()) >= 20


def test_the_codes_are_what_the_judgement_says_of_the_sample() -> None:
    entries = sample_entries()
    for query in judged_queries():
        assert query["codes"] == judged_codes(entries, query["judge"]), query["query"]
        assert query["codes"], f"{query['query']}: nothing is relevant in the sample"
        if query["first"] is not None:
            assert query["first"] in query["codes"]


@pytest.fixture
async def sample_store(open_store: OpenStore) -> CatalogStore:
    sample = generate_catalog(SAMPLE_SIZE, seed=SAMPLE_SEED)
    async with open_store(sample.catalog(CATALOG)) as store:
        await load_sample(store, sample)
        yield store


async def test_every_judged_query_finds_its_entries_in_the_reference_order(
    sample_store: CatalogStore,
) -> None:
    entries = list(sample_entries())
    searcher = sample_store.searcher  # what the store learned of its catalog included
    failures = []
    for query in judged_queries():
        text, typo = query["query"], query["class"] == "typo"
        found = await found_codes(sample_store, text, typo)
        missing = sorted(set(query["codes"]) - set(found))
        if missing:
            failures.append(f"{text!r}: {len(missing)} of {len(query['codes'])} not found")
        if query["first"] is not None and found[:1] != [query["first"]]:
            failures.append(f"{text!r}: {found[:1]} first, not {query['first']}")
        if typo:
            # The typo itself finds nothing: that is why a suggestion is made.
            direct = await found_codes(sample_store, text, typo=False)
            if direct:
                failures.append(f"{text!r} found {len(direct)} entries itself")
            continue
        plan = searcher.read(text)
        assert plan is not None
        if found != search_reference.ranked(plan, entries):
            failures.append(f"{text!r}: not in the reference order")
    assert not failures, "\n".join(failures)
