"""A read whose caller stops waiting stops in the database too, and a slow read holds up
neither writes nor other reads.

Issue 13, defect class 3: a 1 MB search kept an instance busy for about a minute after its
request had timed out — the query ran on in SQLite's thread (and in Neo4j) with no one waiting,
and everything else of the instance queued behind it. The reads here go through the store's own
read path (`Connection.read`, `Neo4jStore._read`) with a statement slow by construction: the
one fault injected into an otherwise real store.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from graph import StoreUnavailable
from graph.deadline import deadline_after, seconds_left
from graph.embedded import EmbeddedStore
from graph.errors import DeadlinePassed
from graph.neo4j import Neo4jStore
from graph.neo4j.statements import run
from tests.graph.entries import CHENGDU, JINJIANG_CATALOG

# Counts to a billion: minutes, unless something stops it.
SLOW_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)"
    " SELECT count(*) FROM n"
)


class SlowRead:
    """A read's work that runs `SLOW_SQL` (after `pause` seconds of Python), and says how it
    ended."""

    def __init__(self, pause: float = 0.0) -> None:
        self.pause = pause
        self.ended = threading.Event()
        self.outcome: str | None = None

    def __call__(self, db: sqlite3.Connection) -> None:
        try:
            time.sleep(self.pause)  # between statements, where interrupt() alone is a no-op
            db.execute(SLOW_SQL).fetchone()
            self.outcome = "finished"
        except sqlite3.OperationalError as exc:
            self.outcome = str(exc)
            raise
        finally:
            self.ended.set()

    async def wait_ended(self, seconds: float) -> bool:
        return await asyncio.to_thread(self.ended.wait, seconds)


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    async with EmbeddedStore.open(tmp_path / "catalog.db", CHENGDU) as store:
        yield store


@pytest.mark.parametrize("pause", [0.0, 0.4], ids=["in-a-statement", "between-statements"])
async def test_a_cancelled_embedded_read_stops_its_query(
    embedded: EmbeddedStore, pause: float
) -> None:
    slow = SlowRead(pause)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await embedded._connection.read(slow)
    assert await slow.wait_ended(2), "the query ran on after its caller stopped waiting"
    assert slow.outcome == "interrupted"
    # The reader it ran on reads again.
    for _ in range(3):
        assert await embedded.catalogs() == [CHENGDU]


async def test_a_slow_embedded_read_holds_up_neither_writes_nor_other_reads(
    embedded: EmbeddedStore,
) -> None:
    slow = SlowRead()
    running = asyncio.create_task(embedded._connection.read(slow))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await embedded.put_catalogs([CHENGDU, JINJIANG_CATALOG])
    assert {c.id for c in await embedded.catalogs()} == {
        CHENGDU.id,
        JINJIANG_CATALOG.id,
    }
    assert time.monotonic() - started < 0.5
    assert not running.done()
    running.cancel()
    assert await slow.wait_ended(2)


def test_a_deadline_is_the_earlier_of_the_nested_ones() -> None:
    assert seconds_left() is None
    with deadline_after(5):
        with deadline_after(60):
            left = seconds_left()
            assert left is not None
            assert 4 < left <= 5
        with deadline_after(1):
            left = seconds_left()
            assert left is not None
            assert 0 < left <= 1
    assert seconds_left() is None


# -- Neo4j ---------------------------------------------------------------------------------


def slow_cypher(marker: str) -> str:
    # The marker, a comment, finds this statement among the server's transactions.
    return (
        "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 1000000007 = -1"
        f" RETURN count(x) AS n // {marker}"
    )


async def running_with(server: Any, marker: str) -> int:
    """How many of the server's transactions run a statement naming `marker`."""
    async with AsyncGraphDatabase.driver(server.uri, auth=server.auth) as driver:
        records, _, _ = await driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $marker"
            " RETURN count(*) AS n",
            marker=marker,
        )
    return int(records[0]["n"])


async def gone_within(server: Any, marker: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await running_with(server, marker) == 0:
            return True
        await asyncio.sleep(0.2)
    return False


@pytest.fixture
async def neo4j_store(neo4j_server: Any) -> AsyncIterator[Neo4jStore]:
    async with Neo4jStore.open(
        neo4j_server.uri, (neo4j_server.user, neo4j_server.password), catalog=CHENGDU
    ) as store:
        yield store


@pytest.mark.neo4j
async def test_a_timed_out_neo4j_read_stops_on_the_server(
    neo4j_store: Neo4jStore, neo4j_server: Any
) -> None:
    marker = f"mulu-slow-{uuid.uuid4().hex}"
    # As the API runs a request: a deadline for the database, a timeout for the caller.
    with pytest.raises(TimeoutError), deadline_after(1.0):
        async with asyncio.timeout(1.0):
            await neo4j_store._read("count slowly", run, slow_cypher(marker))
    assert await gone_within(neo4j_server, marker, 3), "the query ran on on the server"
    assert await neo4j_store.catalogs()  # and the store reads on


@pytest.mark.neo4j
async def test_neo4j_ends_a_read_at_the_deadline_by_itself(
    neo4j_store: Neo4jStore, neo4j_server: Any
) -> None:
    # No cancellation here: the transaction's own timeout, sent to the server, ends it.
    marker = f"mulu-slow-{uuid.uuid4().hex}"
    started = time.monotonic()
    with pytest.raises(DeadlinePassed, match="at the deadline"), deadline_after(1.0):
        async with asyncio.timeout(20):  # only so that a failure does not hang the run
            await neo4j_store._read("count slowly", run, slow_cypher(marker))
    assert time.monotonic() - started < 5
    assert await running_with(neo4j_server, marker) == 0


async def test_closing_the_store_stops_its_reads_and_refuses_those_waiting(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path / "catalog.db", CHENGDU)
    await store.connect()
    slow = [SlowRead() for _ in range(2)]
    busy = [asyncio.create_task(store._connection.read(s)) for s in slow]
    await asyncio.sleep(0.1)
    waiting = asyncio.create_task(store.catalogs())  # both readers are busy
    await asyncio.sleep(0.1)
    await asyncio.wait_for(store.close(), 2)
    for task in busy:
        with pytest.raises(StoreUnavailable, match="interrupted"):
            await task
    with pytest.raises(RuntimeError, match="is not open"):
        await asyncio.wait_for(waiting, 2)
