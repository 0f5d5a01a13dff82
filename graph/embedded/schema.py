"""Create (or check) the embedded store's schema in an open SQLite connection, and its search
index (`graph.embedded.search.ensure_index`)."""

from __future__ import annotations

import sqlite3
from importlib.resources import files

from graph.embedded.search import ensure_index

__all__ = ["SCHEMA_VERSION", "create_schema"]

# 2: the outbox tables; 3: the (state, share_type, catalog_region) index; 4: that index with
# `code` last; 5: code_sequences; 6: the urgent lane of the outbox and who names an entry;
# 7: the audit log and role grants; 8: share requests, objections and access details; 9: data
# updates; 10: the search index of graph.search (resource_search, search_index; resource_text
# goes); 11: the audit log's (kind, seq) index; 12: outbox_seeds; 13: item_names (items goes).
# Raise it with every change to schema.sql, an index too: a file already at this version is
# not looked at again.
SCHEMA_VERSION = 13


def create_schema(connection: sqlite3.Connection) -> None:
    """Create every table of `schema.sql` unless the file is already at `SCHEMA_VERSION`;
    refuse a file written by a newer version of mulu."""
    (found,) = connection.execute("PRAGMA user_version").fetchone()
    if found > SCHEMA_VERSION:
        raise RuntimeError(
            f"the catalog file has schema version {found}; this mulu reads up to {SCHEMA_VERSION}"
        )
    if found != SCHEMA_VERSION:
        script = files("graph.embedded").joinpath("schema.sql").read_text(encoding="utf-8")
        connection.executescript(script)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    # The entries' search text, made again when graph.search made it differently before.
    ensure_index(connection)
