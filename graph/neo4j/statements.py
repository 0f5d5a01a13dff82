"""Running one Cypher statement in a transaction: the one place the store calls `tx.run`.

The driver formats every statement it sends for its debug log (``" ".join(map(repr, fields))``)
before the logger looks at its level, so a batch of 2,000 rows was turned into a string of
megabytes on every write and thrown away — about a tenth of the mirror's own CPU. List
parameters go to the driver as `Rows`, which pack exactly like a list but print as their length.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neo4j import AsyncManagedTransaction, Record

__all__ = ["Rows", "run"]


class Rows(list[Any]):
    """A list parameter that prints as its length, not its contents."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _quiet(value: Any) -> Any:
    return Rows(value) if isinstance(value, list) and not isinstance(value, Rows) else value


async def run(
    tx: AsyncManagedTransaction,
    query: str,
    params: Mapping[str, Any] | None = None,
    /,
    **named: Any,
) -> list[Record]:
    """Run `query` with `params` and `named` in `tx` and return all its records."""
    quiet = {name: _quiet(value) for name, value in {**(params or {}), **named}.items()}
    result = await tx.run(query, quiet)
    return [record async for record in result]
