"""Finding entries: a filtered, optionally searched, cursor-paginated list, and its facets.

Without a search the order is by code (the uniqueness index on ``code`` gives it); with one, by
the full-text score (descending) and then by code, so ties never reorder between pages. The
search is `graph.text.lucene_query`, which requires every token: exactly the entries the
embedded store finds.
"""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from graph.errors import InvalidValue
from graph.neo4j import cypher
from graph.neo4j.filters import condition
from graph.neo4j.rows import resource_from_json
from graph.queries import (
    FacetCount,
    Facets,
    ResourceFilter,
    ResourcePage,
    check_page_size,
    decode_cursor,
    encode_cursor,
)
from graph.text import lucene_query

__all__ = ["facets", "find"]

_EMPTY = ResourcePage(items=(), total_count=0, end_cursor=None, has_next_page=False)


def _selected(parts: list[str], search: bool) -> str:
    source = cypher.SEARCHED_RESOURCES if search else cypher.ALL_RESOURCES
    return cypher.fill(source, where=" AND ".join(parts) or "true")


async def _records(tx: AsyncManagedTransaction, query: str, params: dict[str, Any]) -> list[Any]:
    result = await tx.run(query, params)
    return [record async for record in result]


async def find(
    tx: AsyncManagedTransaction,
    where: ResourceFilter,
    search: str | None,
    first: int,
    after: str | None,
) -> ResourcePage:
    first = check_page_size(first)
    cursor = decode_cursor(after) if after is not None else None
    parts, params = condition(where)
    if search is not None:
        query = lucene_query(search)
        if query is None:
            return _EMPTY
        params["query"] = query
    searching = search is not None
    (total,) = await _records(
        tx, cypher.fill(cypher.COUNT, selected=_selected(parts, searching)), params
    )
    page_parts = list(parts)
    if cursor is not None:
        code, score = cursor
        if searching and score is None:
            raise InvalidValue(
                "after", after, "a cursor returned by an earlier page of this search"
            )
        page_parts.append(cypher.WHERE_AFTER_SCORE if searching else cypher.WHERE_AFTER_CODE)
        params.update(after_code=code, after_score=score)
    page = cypher.PAGE_BY_SCORE if searching else cypher.PAGE_BY_CODE
    records = await _records(
        tx,
        cypher.fill(page, selected=_selected(page_parts, searching)),
        {**params, "limit": first + 1},
    )
    kept = records[:first]
    items = tuple(resource_from_json(record["snapshot"]) for record in kept)
    scores = tuple(float(record["score"]) for record in kept) if searching else ()
    end = None
    if items:
        end = encode_cursor(items[-1].code, scores[-1] if searching else None)
    return ResourcePage(
        items, int(total["total"]), end, has_next_page=len(records) > first, scores=scores
    )


async def facets(tx: AsyncManagedTransaction, where: ResourceFilter, search: str | None) -> Facets:
    """Counts by provider (key: code, label: name), theme and share type, largest first."""
    parts, params = condition(where)
    if search is not None:
        query = lucene_query(search)
        if query is None:
            return Facets()
        params["query"] = query
    selected = _selected(parts, search is not None)

    async def count(template: str) -> tuple[FacetCount, ...]:
        records = await _records(tx, cypher.fill(template, selected=selected), params)
        return tuple(FacetCount(r["key"], r["label"], int(r["count"])) for r in records)

    return Facets(
        by_provider=await count(cypher.FACET_PROVIDERS),
        by_theme=await count(cypher.FACET_THEMES),
        by_share_type=await count(cypher.FACET_SHARE_TYPES),
    )
