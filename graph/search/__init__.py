"""Search (检索): how a query meets the catalog's text, the same on both stores.

Today: `graph.search.tokens`, the full-text tokens exactly as Neo4j's ``cjk`` analyzer makes
them, which the embedded store indexes so that both stores find the same entries; and the
bound on a query (`graph.queries.MAX_SEARCH_LENGTH`, checked before any work starts).

Issue 18 builds the rest here: words in any order, single characters, traditional folded to
simplified, full-width to half-width, pinyin and initials, an operator-extensible list of
government synonyms, ranking with name matches first — one module per concern, both stores
returning the same set.
"""
