"""The store's reads as auto-commit queries: one round trip each, retried as the driver would.

A managed read (`AsyncSession.execute_read`) costs three round trips — BEGIN, then RUN and PULL,
then COMMIT — and about twice the driver's CPU of an auto-commit query, which the driver sends
as RUN and PULL together and the server ends as it answers (0.6 against 1.2 ms of Python per
read of one entry, bench/README.md). A read has nothing to commit, and Neo4j reads committed
data either way, so the store's reads run a read's work function over `AutoCommit`, which
offers the `run` of a transaction and sends each statement as such a query, with the read's
timeout (the caller's time left: Neo4j ends the query itself at the deadline).

The driver retries a managed transaction whose error is retryable (the server unavailable, a
leader switch, a transient error): `read` does the same for the whole work function, with the
driver's own default back-off (1 s, doubling, ±20 %) for at most 30 s after the first failure,
and never sleeps past the caller's deadline. Writes stay managed transactions
(`Neo4jStore._write`): theirs commit.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from neo4j import READ_ACCESS, AsyncDriver, AsyncManagedTransaction, AsyncResult, Query
from neo4j.exceptions import DriverError, Neo4jError

from graph.deadline import seconds_left

__all__ = ["AutoCommit", "read"]

P = ParamSpec("P")
T = TypeVar("T")

# The driver's defaults for managed transactions (`max_transaction_retry_time` and the delays).
MAX_RETRY_SECONDS = 30.0
_FIRST_DELAY, _MULTIPLIER, _JITTER = 1.0, 2.0, 0.2


class AutoCommit:
    """What a read's work function is given instead of a managed transaction: `run` sends
    each statement as an auto-commit query, bounded by `timeout` seconds when given."""

    __slots__ = ("_session", "_timeout")

    def __init__(self, session: Any, timeout: float | None) -> None:
        self._session = session
        self._timeout = timeout

    async def run(
        self, query: str, parameters: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> AsyncResult:
        statement = query if self._timeout is None else Query(query, timeout=self._timeout)
        result: AsyncResult = await self._session.run(statement, parameters, **kwargs)
        return result


def _delays() -> Iterator[float]:
    delay = _FIRST_DELAY
    while True:
        yield delay * random.uniform(1 - _JITTER, 1 + _JITTER)
        delay *= _MULTIPLIER


def _timeout() -> float | None:
    """The caller's time left, as a query's timeout (None: no deadline; a timeout of 0 would
    be none at all)."""
    left = seconds_left()
    return None if left is None else max(left, 0.001)


async def read(
    driver: AsyncDriver,
    database: str,
    work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """`work` run over auto-commit queries on `database`, again after a retryable error."""
    delays = _delays()
    first_failure: float | None = None
    while True:
        try:
            async with driver.session(
                database=database, default_access_mode=READ_ACCESS
            ) as session:
                # The work functions only ever call `run`, which AutoCommit offers.
                tx = cast(AsyncManagedTransaction, AutoCommit(session, _timeout()))
                return await work(tx, *args, **kwargs)
        except (DriverError, Neo4jError) as error:
            if not error.is_retryable():
                raise
            now = time.monotonic()
            first_failure = now if first_failure is None else first_failure
            delay = next(delays)
            left = seconds_left()
            if now - first_failure > MAX_RETRY_SECONDS or (left is not None and left <= delay):
                raise
            await asyncio.sleep(delay)
