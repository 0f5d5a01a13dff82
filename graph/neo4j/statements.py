"""Running one Cypher statement in a transaction: the one place the store calls `tx.run`.

The driver formats every statement it sends for its debug log (``" ".join(map(repr, fields))``)
before the logger looks at its level, so a batch of 2,000 rows was turned into a string of
megabytes on every write and thrown away — about a tenth of the mirror's own CPU. List
parameters go to the driver as `Rows`, which pack exactly like a list but print as their length.

A write's statements are planned once per server (`planned_once`: the store's writes run their
work over it). Neo4j plans a statement again

1. when the counts it was planned with have moved by more than 75 % (at most every 10 s:
   ``dbms.cypher.statistics_divergence_threshold``, ``dbms.cypher.min_replan_interval``) —
   for a store that grows from empty, as a new instance or a mirror's target does, every ten
   seconds for a while;
2. for a list parameter of another order of length (1–9 rows, 10–99, 100–999, …; empty): its
   plan cache key holds a size class of each list — a link's batches come in every size.

Planning the sync's apply takes 0.3–1 s; each time held a batch that long, and under a sync's
load those were the mirror's lag p99 (bench/README.md). A write's statements find what they
touch by unique keys, so their plans are the same whatever the counts and the batch's length
(the same operators on an empty graph as on one of 1M entries): ``CYPHER replan=skip`` keeps
the first plan despite the counts, and the list parameters travel in one map parameter
(`LISTS`; ``$rows`` is written ``$lists.rows`` in the statement sent), whose type holds no
length. Reads are planned as ever — theirs depend on the counts.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar, cast

from neo4j import AsyncManagedTransaction, AsyncResult, Record

__all__ = ["LISTS", "PLANNED_ONCE", "Rows", "planned_once", "run", "sent_once"]

T = TypeVar("T")

# Neo4j's query option: plan the statement when no plan of it is cached, never again because
# the counts moved.
PLANNED_ONCE = "CYPHER replan=skip\n"
# The map parameter a write's list parameters travel in.
LISTS = "lists"


class Rows(list[Any]):
    """A list parameter that prints as its length, not its contents."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


class _PlannedOnce:
    """What a write's work function is given instead of its transaction: `run` sends each
    statement with `PLANNED_ONCE` before it."""

    __slots__ = ("_tx",)

    def __init__(self, tx: AsyncManagedTransaction) -> None:
        self._tx = tx

    async def run(
        self, query: str, parameters: dict[str, Any] | None = None, **kwargs: Any
    ) -> AsyncResult:
        statement, values = sent_once(query, {**(parameters or {}), **kwargs})
        return await self._tx.run(statement, values)


def sent_once(query: str, parameters: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """`query` and its `parameters` as a write sends them: planned once whatever the counts,
    its list parameters in the map `LISTS`."""
    lists = tuple(sorted(name for name, value in parameters.items() if isinstance(value, list)))
    values = {name: value for name, value in parameters.items() if name not in lists}
    if lists:
        values[LISTS] = {name: parameters[name] for name in lists}
    return _planned_once(query, lists), values


@lru_cache(maxsize=2048)
def _planned_once(query: str, lists: tuple[str, ...]) -> str:
    if LISTS in re.findall(r"\$(\w+)", query):
        raise ValueError(f"${LISTS} is the map of a write's lists: name the parameter otherwise")
    if lists:
        named = re.compile(r"\$(" + "|".join(map(re.escape, lists)) + r")\b")
        query = named.sub(lambda m: f"${LISTS}.{m.group(1)}", query)
    return PLANNED_ONCE + query


async def planned_once(
    tx: AsyncManagedTransaction,
    work: Callable[..., Awaitable[T]],
    *args: Any,
) -> T:
    """`work(tx, *args)` with every statement it runs planned once (a transaction function
    for `execute_write`)."""
    # The work functions only ever call `run`, which _PlannedOnce offers.
    return await work(cast(AsyncManagedTransaction, _PlannedOnce(tx)), *args)


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
