"""Allocating codes (`graph.codes`: the instance numbers new entries) in the embedded store.

`allocate` runs in one write transaction on the store's single writer, so two allocations never
interleave; ``code_sequences`` keeps the last number handed out per 前段码, so a code allocated
and not (yet) saved is not handed out again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from graph.codes import check_own_code, next_code, reserved, sequence_bounds
from graph.enums import Zone
from graph.model import Resource

__all__ = ["allocate", "allocate_many", "refuse_foreign", "reserve"]

# The highest code of a range held, redacted or allocated; codes under one 前段码 with six-digit
# 后段码 sort as their numbers do, and a longer 前段码 sorts outside the range ('1' > '/').
_HIGHEST = (
    "SELECT max(code) FROM ("
    " SELECT max(code) AS code FROM resources WHERE code BETWEEN ?1 AND ?2"
    " UNION ALL SELECT max(code) FROM tombstones WHERE code BETWEEN ?1 AND ?2"
    " UNION ALL SELECT last FROM code_sequences WHERE category = ?3 AND last BETWEEN ?1 AND ?2"
    ")"
)


def allocate(sqlite: sqlite3.Connection, category: str, zone: Zone) -> str:
    """The next code under `category` for an instance of `zone`, recorded as allocated."""
    first, last = sequence_bounds(category, zone)
    (highest,) = sqlite.execute(_HIGHEST, (first, last, category)).fetchone()
    code = next_code(category, zone, highest)
    sqlite.execute(
        "INSERT INTO code_sequences (category, last) VALUES (?, ?) "
        "ON CONFLICT (category) DO UPDATE SET last = excluded.last",
        (category, code),
    )
    return code


def allocate_many(
    sqlite: sqlite3.Connection, wanted: Mapping[str, int], zone: Zone
) -> dict[str, list[str]]:
    """`wanted[category]` new codes under each category, in order, recorded as allocated."""
    found: dict[str, list[str]] = {}
    for category, count in wanted.items():
        first, last = sequence_bounds(category, zone)
        (highest,) = sqlite.execute(_HIGHEST, (first, last, category)).fetchone()
        codes: list[str] = []
        for _ in range(count):
            highest = next_code(category, zone, highest)
            codes.append(highest)
        if codes:
            sqlite.execute(
                "INSERT INTO code_sequences (category, last) VALUES (?, ?) "
                "ON CONFLICT (category) DO UPDATE SET last = excluded.last",
                (category, codes[-1]),
            )
        found[category] = codes
    return found


def reserve(
    sqlite: sqlite3.Connection, grouped: Mapping[str, list[str]], zone: Zone, record: bool
) -> list[str]:
    """Those of the codes (grouped by 前段码, each group in order) that are not free past the
    highest code of their range allocated, held or redacted; when all are free and `record`,
    the highest of each group recorded as allocated."""
    taken: list[str] = []
    lasts: dict[str, str] = {}
    for category, wanted in grouped.items():
        first, last = sequence_bounds(category, zone)
        (highest,) = sqlite.execute(_HIGHEST, (first, last, category)).fetchone()
        refused, top = reserved(wanted, highest)
        taken += refused
        if top is not None:
            lasts[category] = top
    if record and not taken:
        sqlite.executemany(
            "INSERT INTO code_sequences (category, last) VALUES (?, ?) "
            "ON CONFLICT (category) DO UPDATE SET last = excluded.last",
            list(lasts.items()),
        )
    return taken


def refuse_foreign(sqlite: sqlite3.Connection, entry: Resource) -> None:
    """Refuse `entry` when its code is held here from another origin."""
    row = sqlite.execute(
        "SELECT catalog_id FROM resources WHERE code = ?", (entry.code,)
    ).fetchone()
    check_own_code(entry.code, None if row is None else str(row[0]), entry.origin)
