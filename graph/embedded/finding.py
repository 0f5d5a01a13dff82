"""Finding entries: a filtered, optionally searched, cursor-paginated list, and its facets.

Without a search the order is by code; with one, by relevance (`graph.search.query.ranking`,
the integer Neo4j computes too) and then by code, so ties never reorder between pages. A cursor
names the last entry of a page (and its score), and the next page starts strictly after it.
"""

from __future__ import annotations

import sqlite3

from graph.codes import child_category_length
from graph.embedded.filters import where_clause
from graph.embedded.search import match_expression, score_expression
from graph.errors import InvalidValue
from graph.queries import (
    MAX_COUNTED,
    Facets,
    ResourceFilter,
    ResourcePage,
    check_page_size,
    counted_total,
    decode_cursor,
    encode_cursor,
    facets_of,
)
from graph.search import SearchPlan
from graph.snapshot import resource_from_json

__all__ = ["facets", "find"]

# The entries a filter and a search select: `{where}` is a filter condition, `{score}` the
# ranking (or 0 where only the selection counts). CROSS JOIN keeps the full-text index the
# outer loop: with a plain JOIN, SQLite walked the (state, …) index over every published entry
# and searched the full-text index again for each (51 ms for a word at 2,000 entries, 1 ms so).
#
# The matches carry each entry's rowid, not its snapshot: ranked and counted, only the page's
# snapshots are read (carrying every match's through the window and the sort cost 155 ms for a
# word in nearly every entry at 10,000).
_MATCHES = (
    "SELECT r.code, r.rowid AS row, {score} AS score"
    " FROM resource_search s CROSS JOIN resources r ON r.rowid = s.rowid"
    " WHERE resource_search MATCH ? AND {where}"
)


def find(
    sqlite: sqlite3.Connection,
    where: ResourceFilter,
    search: SearchPlan | None,
    first: int,
    after: str | None,
    searching: bool = False,
) -> ResourcePage:
    """One page; `search` is the plan of the caller's search (None: no search, or when
    `searching`, a search with nothing to look for, which finds nothing)."""
    first = check_page_size(first)
    condition, params = where_clause(where)
    cursor = decode_cursor(after) if after is not None else None
    if search is None and not searching:
        return _by_code(sqlite, condition, params, first, cursor)
    if search is None:
        return ResourcePage(items=(), total_count=0, end_cursor=None, has_next_page=False)
    return _by_relevance(sqlite, search, condition, params, first, cursor, after)


def _by_code(
    sqlite: sqlite3.Connection,
    condition: str,
    params: list[object],
    first: int,
    cursor: tuple[str, float | None] | None,
) -> ResourcePage:
    (total,) = sqlite.execute(
        f"SELECT count(*) FROM resources r WHERE {condition}", params
    ).fetchone()
    page_condition, page_params = condition, list(params)
    if cursor is not None:
        page_condition += " AND r.code > ?"
        page_params.append(cursor[0])
    # The page's entries are chosen first, from an index alone where one covers the filter, and
    # only their rows are read: reading the row of every selected entry cost 100 ms at 100k.
    rows = sqlite.execute(
        "SELECT r.code, r.snapshot FROM resources r WHERE r.rowid IN ("
        f" SELECT r.rowid FROM resources r WHERE {page_condition} ORDER BY r.code LIMIT ?"
        ") ORDER BY r.code",
        [*page_params, first + 1],
    ).fetchall()
    items = tuple(resource_from_json(snapshot) for _code, snapshot in rows[:first])
    end = encode_cursor(items[-1].code) if items else None
    return ResourcePage(items, total, end, has_next_page=len(rows) > first)


def _by_relevance(
    sqlite: sqlite3.Connection,
    plan: SearchPlan,
    condition: str,
    params: list[object],
    first: int,
    cursor: tuple[str, float | None] | None,
    after: str | None,
) -> ResourcePage:
    expression = match_expression(plan)
    if first == 0 and cursor is None:  # only the count (did-you-mean): nothing is ranked
        total, more = counted_total(_count(sqlite, expression, condition, params))
        return ResourcePage((), total, None, has_next_page=total > 0, total_is_lower_bound=more)
    ranked, score_params = score_expression(plan, "s", "r.kind")
    matches = _MATCHES.format(where=condition, score=ranked)
    # The total rides along the page (a window over every match, counted before the cursor
    # narrows them), so the full-text index is searched once, not twice; only a page past the
    # last match, which has no row to carry it, counts again.
    counted_matches = f"SELECT *, count(*) OVER () AS total FROM ({matches})"
    page_sql = f"SELECT code, row, score, total FROM ({counted_matches})"
    page_params: list[object] = [*score_params, expression, *params]
    if cursor is not None:
        code, score = cursor
        if score is None:
            raise InvalidValue(
                "after", after, "a cursor returned by an earlier page of this search"
            )
        page_sql += " WHERE score < ? OR (score = ? AND code > ?)"
        page_params += [score, score, code]
    # The page's snapshots are read in the same statement, once the page is chosen: a
    # statement fewer is a dozen fewer steps, each of which gives the GIL up and waits to take
    # it back — beside a link's work, up to 5 ms each (bench/convoy_bench.py).
    rows = sqlite.execute(
        f"SELECT p.code, p.score, p.total, e.snapshot FROM ({page_sql}"
        " ORDER BY score DESC, code LIMIT ?) p JOIN resources e ON e.rowid = p.row"
        " ORDER BY p.score DESC, p.code",
        [*page_params, first + 1],
    ).fetchall()
    hits = int(rows[0][2]) if rows else _count(sqlite, expression, condition, params)
    total, more = counted_total(hits)
    kept = rows[:first]
    items = tuple(resource_from_json(snapshot) for _code, _score, _total, snapshot in kept)
    scores = tuple(float(score) for _code, score, _total, _snapshot in kept)
    end = encode_cursor(items[-1].code, scores[-1]) if items else None
    more_pages = len(rows) > first
    return ResourcePage(items, total, end, more_pages, scores, total_is_lower_bound=more)


def _count(
    sqlite: sqlite3.Connection, expression: str, condition: str, params: list[object]
) -> int:
    """The hits of the full-text `expression` under `condition`, counted up to
    `MAX_COUNTED` + 1 (`graph.queries.counted_total`)."""
    counted = _MATCHES.format(where=condition, score="0")
    (hits,) = sqlite.execute(
        f"SELECT count(*) FROM ({counted} LIMIT ?)", [expression, *params, MAX_COUNTED + 1]
    ).fetchone()
    return int(hits)


# One statement: the selection is made once (materialized) and every facet grouped from it.
_FACETS = (
    "WITH selected AS MATERIALIZED ({selected}), chosen AS MATERIALIZED ("
    " SELECT r.code, r.provider_code, r.share_type, r.update_cycle, r.open_to_public, r.level,"
    " r.kind, {category} AS category FROM selected s JOIN resources r ON r.code = s.code) "
    "SELECT 'provider', c.provider_code, coalesce(d.name, max(c.provider_code)), count(*)"
    " FROM chosen c LEFT JOIN departments d ON d.code = c.provider_code GROUP BY c.provider_code "
    "UNION ALL SELECT 'theme', t.theme, t.theme, count(*) FROM chosen c"
    " JOIN resource_themes t ON t.resource_code = c.code GROUP BY t.theme "
    "UNION ALL SELECT 'share_type', share_type, share_type, count(*) FROM chosen"
    " GROUP BY share_type "
    "UNION ALL SELECT 'share_mode', m.share_mode, m.share_mode, count(*) FROM chosen c"
    " JOIN resource_share_modes m ON m.resource_code = c.code GROUP BY m.share_mode "
    "UNION ALL SELECT 'update_cycle', update_cycle, update_cycle, count(*) FROM chosen"
    " GROUP BY update_cycle "
    "UNION ALL SELECT 'open_to_public', CASE WHEN open_to_public THEN 'true' ELSE 'false' END,"
    " CASE WHEN open_to_public THEN 'true' ELSE 'false' END, count(*) FROM chosen"
    " GROUP BY open_to_public "
    "UNION ALL SELECT 'level', level, level, count(*) FROM chosen GROUP BY level "
    "UNION ALL SELECT 'kind', kind, kind, count(*) FROM chosen GROUP BY kind "
    "UNION ALL SELECT 'category', c.category, coalesce(k.name, c.category), count(*)"
    " FROM chosen c LEFT JOIN categories k ON k.code = c.category GROUP BY c.category"
)


def facets(
    sqlite: sqlite3.Connection,
    where: ResourceFilter,
    search: SearchPlan | None,
    searching: bool = False,
) -> Facets:
    """Counts by provider (key: code, label: name), theme, share type, share mode, update
    cycle, open to the public, level, kind and category (`Facets`), largest first."""
    condition, params = where_clause(where)
    if search is None and searching:
        return Facets()
    if search is None:
        selected = f"SELECT r.code FROM resources r WHERE {condition}"
        selected_params = params
    else:
        selected = f"SELECT code FROM ({_MATCHES.format(where=condition, score='0')})"
        selected_params = [match_expression(search), *params]
    length = child_category_length(where.category)
    category = (
        "substr(r.code, 1, instr(r.code, '/') - 1)"
        if length is None
        else f"substr(r.code, 1, {int(length)})"
    )
    statement = _FACETS.format(selected=selected, category=category)
    rows = [
        (str(f), str(k), str(label), int(n))
        for f, k, label, n in sqlite.execute(statement, selected_params)
    ]
    return facets_of(rows)
