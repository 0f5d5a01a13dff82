"""The embedded store's outbox (graph.outbox): functions run inside the store's transactions
on its worker thread, so a record commits with the entry it follows or not at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from graph.outbox import OutboxRecord

__all__ = [
    "mark",
    "marked",
    "position",
    "prune",
    "pruned",
    "records_after",
    "seed",
    "set_position",
    "set_seed",
    "urgent_after",
    "write",
]


def write(sqlite: sqlite3.Connection, records: Iterable[OutboxRecord]) -> None:
    plain: list[tuple[str, bytes]] = []
    for record in records:
        if not record.urgent:
            plain.append((record.key, record.payload))
            continue
        _insert(sqlite, plain)  # in order: positions follow the records
        plain = []
        cursor = sqlite.execute(
            "INSERT INTO outbox (key, payload) VALUES (?, ?)", (record.key, record.payload)
        )
        # Also listed in the urgent lane, which relays read first.
        sqlite.execute("INSERT INTO outbox_urgent (position) VALUES (?)", (cursor.lastrowid,))
    _insert(sqlite, plain)


def _insert(sqlite: sqlite3.Connection, rows: list[tuple[str, bytes]]) -> None:
    if rows:
        sqlite.executemany("INSERT INTO outbox (key, payload) VALUES (?, ?)", rows)


_SELECT = (
    "SELECT o.position, o.key, o.payload, u.position IS NOT NULL FROM outbox o "
    "LEFT JOIN outbox_urgent u ON u.position = o.position "
)


def records_after(
    sqlite: sqlite3.Connection, after: int, limit: int
) -> list[tuple[int, OutboxRecord]]:
    rows = sqlite.execute(
        _SELECT + "WHERE o.position > ? ORDER BY o.position LIMIT ?", (after, limit)
    )
    return [(int(p), OutboxRecord(str(k), bytes(v), bool(u))) for p, k, v, u in rows]


def urgent_after(
    sqlite: sqlite3.Connection, after: int, limit: int
) -> list[tuple[int, OutboxRecord]]:
    rows = sqlite.execute(
        "SELECT o.position, o.key, o.payload FROM outbox_urgent u "
        "JOIN outbox o ON o.position = u.position "
        "WHERE u.position > ? ORDER BY u.position LIMIT ?",
        (after, limit),
    )
    return [(int(p), OutboxRecord(str(k), bytes(v), urgent=True)) for p, k, v in rows]


def position(sqlite: sqlite3.Connection, consumer: str) -> int:
    row = sqlite.execute(
        "SELECT position FROM outbox_consumers WHERE name = ?", (consumer,)
    ).fetchone()
    return 0 if row is None else int(row[0])


def set_position(sqlite: sqlite3.Connection, consumer: str, to: int) -> None:
    sqlite.execute(
        "INSERT INTO outbox_consumers (name, position) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        (consumer, to),
    )


def mark(
    sqlite: sqlite3.Connection, consumer: str, add: Sequence[str], remove: Sequence[str]
) -> None:
    sqlite.executemany(
        "INSERT INTO outbox_marks (consumer, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(consumer, key) for key in add],
    )
    sqlite.executemany(
        "DELETE FROM outbox_marks WHERE consumer = ? AND key = ?",
        [(consumer, key) for key in remove],
    )


def marked(sqlite: sqlite3.Connection, consumer: str, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        chunk = wanted[start : start + 500]
        rows = sqlite.execute(
            f"SELECT key FROM outbox_marks WHERE consumer = ? "
            f"AND key IN ({', '.join('?' * len(chunk))})",
            [consumer, *chunk],
        )
        found.update(str(key) for (key,) in rows)
    return found


def prune(sqlite: sqlite3.Connection, below: int) -> int:
    sqlite.execute("DELETE FROM outbox_urgent WHERE position < ?", (below,))
    return int(sqlite.execute("DELETE FROM outbox WHERE position < ?", (below,)).rowcount)


def pruned(sqlite: sqlite3.Connection) -> bool:
    """Whether a record was ever pruned: positions start at 1 (AUTOINCREMENT remembers the
    last one given), and the oldest held is not the first, or none is held of those given."""
    row = sqlite.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    if row is None or int(row[0]) == 0:
        return False  # nothing was ever written
    (oldest,) = sqlite.execute("SELECT min(position) FROM outbox").fetchone()
    return oldest is None or int(oldest) > 1


def seed(sqlite: sqlite3.Connection, consumer: str) -> str | None:
    row = sqlite.execute("SELECT cursor FROM outbox_seeds WHERE name = ?", (consumer,)).fetchone()
    return None if row is None else str(row[0])


def set_seed(sqlite: sqlite3.Connection, consumer: str, cursor: str) -> None:
    sqlite.execute(
        "INSERT INTO outbox_seeds (name, cursor) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor",
        (consumer, cursor),
    )
