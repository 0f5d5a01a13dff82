"""Bounded statements: every lookup by a list of codes runs in chunks of a fixed size.

A list of codes can come from outside — the references of a batch of events, a caller's
arguments — and one statement over all of them can fail (SQLite's limit on bound parameters)
or take the database's memory (one huge ``UNWIND``); a relay that retried such a statement
for ever stalled its link. So no statement ever takes more than `CODES_PER_STATEMENT` codes.

    for chunk in chunks(codes):
        rows += run(query, chunk)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["CODES_PER_STATEMENT", "chunks"]

# Below SQLite's 32,766 bound parameters with room for a statement's own, and a Neo4j UNWIND
# that plans and runs in milliseconds.
CODES_PER_STATEMENT = 2_000

T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CODES_PER_STATEMENT) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices of at most `size`."""
    if size < 1:
        raise ValueError(f"a chunk holds at least 1 value, not {size}")
    for start in range(0, len(values), size):
        yield values[start : start + size]
