"""The embedded store's dataset mappings (graph.exchange.datasets): functions run inside the
store's transactions, so a mapping and its audit record commit together. Its table is made
when first written (``CREATE TABLE IF NOT EXISTS``): a file from before mappings existed
opens as it is, and reads find no mapping there."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from graph.errors import NotFound
from graph.exchange.datasets import DatasetKey, DatasetMapping

__all__ = ["mappings", "put", "remove"]

_TABLE = """CREATE TABLE IF NOT EXISTS dataset_mappings (
    namespace TEXT NOT NULL,
    name      TEXT NOT NULL,
    code      TEXT NOT NULL,
    PRIMARY KEY (namespace, name)
)"""


def _exists(sqlite: sqlite3.Connection) -> bool:
    row = sqlite.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dataset_mappings'"
    ).fetchone()
    return row is not None


def mappings(
    sqlite: sqlite3.Connection, keys: Sequence[DatasetKey] | None
) -> dict[DatasetKey, str]:
    if not _exists(sqlite):
        return {}
    if keys is None:
        rows = sqlite.execute(
            "SELECT namespace, name, code FROM dataset_mappings ORDER BY namespace, name"
        )
        return {DatasetKey(n, m): c for n, m, c in rows}
    found: dict[DatasetKey, str] = {}
    for key in dict.fromkeys(keys):
        row = sqlite.execute(
            "SELECT code FROM dataset_mappings WHERE namespace = ? AND name = ?",
            (key.namespace, key.name),
        ).fetchone()
        if row is not None:
            found[key] = str(row[0])
    return found


def put(sqlite: sqlite3.Connection, mapping: DatasetMapping) -> None:
    sqlite.execute(_TABLE)
    sqlite.execute(
        "INSERT INTO dataset_mappings (namespace, name, code) VALUES (?, ?, ?) "
        "ON CONFLICT (namespace, name) DO UPDATE SET code = excluded.code",
        (mapping.key.namespace, mapping.key.name, mapping.code),
    )


def remove(sqlite: sqlite3.Connection, key: DatasetKey) -> None:
    sqlite.execute(_TABLE)
    gone = sqlite.execute(
        "DELETE FROM dataset_mappings WHERE namespace = ? AND name = ?", (key.namespace, key.name)
    ).rowcount
    if not gone:
        raise NotFound("dataset mapping", str(key))
