"""The judged query set (data/search_queries.json): queries as departments type them, over the
sample catalog, each with the entries that must be found and, for some, the one that must
come first.

Relevance is judged here, never by a store: an entry is relevant to a query when, for every
condition of its judgement, its text contains one of the condition's alternatives (an
alternative ``a&b`` contains both) — its name, or (``where: text``) its name, summary, items,
provider and format. The codes in the file are what this judgement says of the sample
(`generate_catalog(SAMPLE_SIZE, seed=SAMPLE_SEED)`, the national intranet catalog and every
catalog below it, all states); a test checks they still are.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from graph import CatalogStore, Resource, ResourceFilter
from graph.sample import generate_catalog
from graph.search import Searcher, did_you_mean

SAMPLE_SIZE = 3000
SAMPLE_SEED = 18
CATALOG = "national/intranet"
DATA = Path(__file__).parent / "data" / "search_queries.json"

Judgement = dict[str, Any]


@cache
def sample_entries() -> tuple[Resource, ...]:
    sample = generate_catalog(SAMPLE_SIZE, seed=SAMPLE_SEED)
    return tuple(e for batch in sample.resources(1000, sample.subtree(CATALOG)) for e in batch)


def _text(entry: Resource, where: str) -> str:
    if where == "name":
        return entry.name.lower()
    parts = [entry.name, entry.summary, *(i.name for i in entry.items)]
    return " ".join([*parts, entry.provider_name, entry.format_type]).lower()


def is_relevant(entry: Resource, judgement: Judgement) -> bool:
    text = _text(entry, judgement["where"])
    return all(
        any(all(part.lower() in text for part in alt.split("&")) for alt in condition)
        for condition in judgement["all"]
    )


def judged_codes(entries: tuple[Resource, ...], judgement: Judgement) -> list[str]:
    return sorted(e.code for e in entries if is_relevant(e, judgement))


@cache
def judged_queries() -> list[dict[str, Any]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert data["sample"] == {"size": SAMPLE_SIZE, "seed": SAMPLE_SEED, "catalog": CATALOG}
    queries: list[dict[str, Any]] = data["queries"]
    return queries


async def found_codes(store: CatalogStore, query: str, typo: bool, limit: int = 2000) -> list[str]:
    """The codes `store` finds for `query`, best first (every state); a typo is searched as
    its "did you mean" suggests."""
    where = ResourceFilter(states=frozenset())
    if typo:

        async def finds(text: str) -> bool:
            return (await store.find(where, search=text, first=0)).total_count > 0

        suggestion = await did_you_mean(Searcher.shipped(), query, finds)
        if suggestion is None:
            return []
        query = suggestion
    codes: list[str] = []
    after = None
    while len(codes) < limit:
        page = await store.find(where, search=query, first=100, after=after)
        codes += [e.code for e in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    return codes
