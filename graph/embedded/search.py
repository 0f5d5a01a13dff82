"""The embedded store's search index: SQLite FTS5 over `graph.search.text.IndexText`.

Each token is written as its UTF-8 in hex behind an ``x``, so FTS5's own tokenizer sees plain
alphanumeric words and can neither split nor fold them: a query token matches a stored token
exactly when they are equal, as in Neo4j's whitespace analyzer. A `SearchPlan` becomes an FTS5
expression (`match_expression`: which entries) and an SQL expression (`score_expression`:
`graph.search.query.ranking`, the same integer Neo4j computes).

FTS5 holds the index rows of a transaction in memory and writes them out as one segment at
its end — and at every savepoint, which SQLite also opens for a statement with ``RETURNING``
(the upsert into ``resources`` returns its rowid). Written after each entry's upsert, an index
row was flushed alone, a segment per entry, each then merged: measured on 20,000 entries
applied, 30–70 µs an entry, about what all the entry's other rows took. So a batch's index rows
are written together, after its other writes (`index_entries`).

`ensure_index` reindexes every entry when the file's index was made by another
`graph.search.text.INDEX_VERSION` (or by the search of before, ``resource_text``): at open, in
one transaction, idempotent.

    >>> match_expression(Searcher.shipped().read("人口"))
    '(({name body} : "xe4baba xe58fa3"))'
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from graph.model import Resource
from graph.search.query import Field, SearchPlan, ranking
from graph.search.text import INDEX_VERSION, IndexText, index_text
from graph.snapshot import resource_from_json

__all__ = [
    "catalog_words",
    "ensure_index",
    "index_entries",
    "index_entry",
    "match_expression",
    "score_expression",
    "unindex",
]

_COLUMNS = ("name", "body", "pinyin", "initials", "words")

# Entries reindexed at a time when the index version changes.
_REINDEX_CHUNK = 2_000


def _encoded(field: str) -> str:
    """An `IndexText` field (space-separated) with each token hex-encoded behind an ``x`` (a
    leading letter keeps FTS5 from reading a token as anything but a bare word), padded: the whole
    field encoded at once, a byte to a pair of hex digits set apart by spaces, so that a
    space between tokens is the pair ``20`` between two spaces, and no pair of a character
    of a token is."""
    spaced = " ".join(field.split())
    if not spaced:
        return "  "
    pairs = spaced.encode("utf-8").hex(" ")
    return " x" + pairs.replace(" 20 ", "\0").replace(" ", "").replace("\0", " x") + " "


@lru_cache(maxsize=8192)  # a copy of an entry indexed again, at another instance
def _row(text: IndexText) -> tuple[str, ...]:
    # `words` holds the runs too (both only rank): their tokens are marked, never a word.
    fields = {**{c: getattr(text, c) for c in _COLUMNS[:-1]}, "words": text.words + text.runs}
    return tuple(_encoded(fields[column]) for column in _COLUMNS)


def index_entry(sqlite: sqlite3.Connection, rowid: int, entry: Resource) -> None:
    """(Re)write the index row of `entry`, whose resources row is `rowid`."""
    index_entries(sqlite, {rowid: (entry, False)})


def index_entries(sqlite: sqlite3.Connection, entries: dict[int, tuple[Resource, bool]]) -> None:
    """(Re)write the index rows of `entries` (by resources rowid: the entry, and whether its
    row is new — then it has no index row to delete) in two statements."""
    sqlite.executemany(
        "DELETE FROM resource_search WHERE rowid = ?",
        [(rowid,) for rowid, (_, new) in entries.items() if not new],
    )
    sqlite.executemany(
        "INSERT INTO resource_search (rowid, name, body, pinyin, initials, words) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(rowid, *_row(index_text(entry))) for rowid, (entry, _) in entries.items()],
    )


def unindex(sqlite: sqlite3.Connection, rowid: int) -> None:
    sqlite.execute("DELETE FROM resource_search WHERE rowid = ?", (rowid,))


def ensure_index(sqlite: sqlite3.Connection) -> None:
    """Reindex every entry unless the index was made with this `INDEX_VERSION`."""
    row = sqlite.execute("SELECT version FROM search_index WHERE id = 1").fetchone()
    if row is not None and row[0] == INDEX_VERSION:
        return
    sqlite.execute("BEGIN IMMEDIATE")
    try:
        sqlite.execute("DROP TABLE IF EXISTS resource_text")  # the index of before
        sqlite.execute("DELETE FROM resource_search")
        rows = sqlite.execute("SELECT rowid, snapshot FROM resources")
        while chunk := rows.fetchmany(_REINDEX_CHUNK):
            index_entries(sqlite, {r: (resource_from_json(s), True) for r, s in chunk})
        sqlite.execute(
            "INSERT INTO search_index (id, version) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            (INDEX_VERSION,),
        )
        sqlite.execute("COMMIT")
    except BaseException:
        sqlite.execute("ROLLBACK")
        raise


def catalog_words(sqlite: sqlite3.Connection, limit: int) -> list[str]:
    """The names of the departments and data items the store holds (at most `limit` of each,
    departments first): what its searcher learns when it opens (`graph.search.Searcher`)."""
    names = [n for (n,) in sqlite.execute("SELECT name FROM departments LIMIT ?", (limit,))]
    names += [n for (n,) in sqlite.execute("SELECT name FROM item_names LIMIT ?", (limit,))]
    return names


def _phrase(tokens: tuple[str, ...]) -> str:
    return '"' + _encoded(" ".join(tokens)).strip() + '"'


_FIELD_COLUMNS = {Field.TEXT: "{name body}", Field.PINYIN: "pinyin", Field.INITIALS: "initials"}


def match_expression(plan: SearchPlan) -> str:
    """An FTS5 query selecting exactly the entries `plan` finds."""
    groups = []
    for group in plan.groups:
        alternatives = [
            "("
            + " AND ".join(f"{_FIELD_COLUMNS[p.field]} : {_phrase(p.tokens)}" for p in alt.phrases)
            + ")"
            for alt in group.alternatives
        ]
        groups.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(groups)


# How many share requests the store holds for the entry (graph.sharing), through the
# (resource_code, …) index: the ranking's tie-breaker.
_REQUESTED = "(SELECT count(*) FROM share_requests q WHERE q.resource_code = {code})"


def score_expression(
    plan: SearchPlan, table: str, kind: str, code: str = "r.code"
) -> tuple[str, list[object]]:
    """`graph.search.query.ranking` over the columns of `table` (a resource_search row) and
    the entry's `kind` and `code` columns, with its parameters in order."""
    params: list[object] = []

    def contains(field: str, tokens: tuple[str, ...], exact: bool) -> str:
        params.append(_encoded(" ".join(tokens)))
        column = f"{table}.{'words' if field == 'runs' else field}"
        return f"{column} = ?" if exact else f"instr({column}, ?) > 0"

    return ranking(plan, contains, kind, _REQUESTED.format(code=code)), params
