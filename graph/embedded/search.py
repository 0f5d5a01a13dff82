"""Full-text search in SQLite's FTS5 that finds exactly what Neo4j's ``cjk`` analyzer finds.

The tokens are those of `graph.search.tokens.tokens` (CJK bigrams, lower-cased words). Each is
written as its UTF-8 in hex, so FTS5's own tokenizer sees plain alphanumeric words and can
neither split nor fold them: a query token matches a stored token exactly when they are equal.

    >>> match_expression("人口")
    '"xe4babae58fa3"'
"""

from __future__ import annotations

from graph.model import Resource
from graph.search.tokens import tokens

__all__ = ["index_text", "match_expression"]


def _encode(token: str) -> str:
    # A leading letter keeps FTS5 from reading a token as anything but a bare word.
    return "x" + token.encode("utf-8").hex()


def index_text(entry: Resource) -> str:
    """What the index holds for `entry`: every token of its name and summary, repeats kept so
    that term frequency counts in the ranking."""
    return " ".join(_encode(t) for t in tokens(entry.name + " " + entry.summary))


def match_expression(search: str) -> str | None:
    """An FTS5 query requiring every token of `search`; None when it has no token."""
    terms = list(dict.fromkeys(tokens(search)))
    if not terms:
        return None
    return " AND ".join(f'"{_encode(t)}"' for t in terms)
