"""Allocating codes (`graph.codes`: the instance numbers new entries) in the embedded store.

`allocate` runs in one write transaction on the store's single writer, so two allocations never
interleave; ``code_sequences`` keeps the last number handed out per 前段码, so a code allocated
and not (yet) saved is not handed out again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from graph.codes import check_own_code, is_free, next_code, sequence_bounds
from graph.enums import Zone
from graph.model import Resource

__all__ = ["allocate", "allocate_many", "not_free", "refuse_foreign"]

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


def not_free(sqlite: sqlite3.Connection, codes: Sequence[str], zone: Zone) -> list[str]:
    """Those of `codes` that are not free here (`graph.codes.is_free`), in order."""
    taken = []
    lasts: dict[str, str | None] = {}
    for code in codes:
        category = code.split("/", 1)[0]
        if category not in lasts:
            first, last = sequence_bounds(category, zone)
            row = sqlite.execute(
                "SELECT last FROM code_sequences WHERE category = ? AND last BETWEEN ? AND ?",
                (category, first, last),
            ).fetchone()
            lasts[category] = None if row is None else str(row[0])
        held = sqlite.execute("SELECT 1 FROM resources WHERE code = ?", (code,)).fetchone()
        redacted = sqlite.execute("SELECT 1 FROM tombstones WHERE code = ?", (code,)).fetchone()
        if not is_free(code, held is not None, redacted is not None, lasts[category]):
            taken.append(code)
    return taken


def refuse_foreign(sqlite: sqlite3.Connection, entry: Resource) -> None:
    """Refuse `entry` when its code is held here from another origin."""
    row = sqlite.execute(
        "SELECT catalog_id FROM resources WHERE code = ?", (entry.code,)
    ).fetchone()
    check_own_code(entry.code, None if row is None else str(row[0]), entry.origin)
