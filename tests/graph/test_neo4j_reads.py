"""The Neo4j store's reads (`graph.neo4j.reads`): auto-commit queries, one per statement, and
retried as the driver retries a managed transaction — on a real server; the only fault is one
injected error."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ClientError, ServiceUnavailable

from graph import CatalogError, Direction, StoreUnavailable
from graph.deadline import deadline_after
from graph.neo4j import Neo4jStore
from graph.neo4j import reads as reading
from graph.neo4j.lineage import lineage
from graph.neo4j.statements import run
from tests.graph.entries import resource

pytestmark = pytest.mark.neo4j


@pytest.fixture
def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    return neo4j_store


class Flaky:
    """A read's work that fails with `error` the first `failures` times, then reads."""

    def __init__(self, error: Exception, failures: int = 1) -> None:
        self.error = error
        self.failures = failures
        self.calls = 0

    async def __call__(self, tx: AsyncManagedTransaction) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        (record,) = await run(tx, "RETURN 41 + 1 AS answer")
        return int(record["answer"])


async def test_a_read_is_sent_as_an_auto_commit_query(store: Neo4jStore) -> None:
    seen: list[str] = []

    async def work(tx: AsyncManagedTransaction) -> Any:
        seen.append(type(tx).__name__)
        (record,) = await run(tx, "RETURN 1 AS one")
        return record["one"]

    assert await store._read("read one", work) == 1
    assert seen == ["AutoCommit"]  # not a managed transaction: no BEGIN, no COMMIT


async def test_a_retryable_failure_is_read_again(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "_FIRST_DELAY", 0.05)
    flaky = Flaky(ServiceUnavailable("injected: the server went away"), failures=2)
    assert await store._read("read flakily", flaky) == 42
    assert flaky.calls == 3


async def test_an_error_that_is_not_retryable_is_raised_at_once(store: Neo4jStore) -> None:
    flaky = Flaky(ClientError("injected: a bad statement"))
    with pytest.raises(CatalogError, match="Neo4j failed to read badly"):
        await store._read("read badly", flaky)
    assert flaky.calls == 1


async def test_no_retry_waits_past_the_callers_deadline(store: Neo4jStore) -> None:
    # The first back-off is about a second; the caller has a fifth of that left.
    flaky = Flaky(ServiceUnavailable("injected: the server went away"))
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="did not answer"), deadline_after(0.2):
        await store._read("read flakily", flaky)
    assert time.monotonic() - started < 0.5
    assert flaky.calls == 1


async def test_lineage_both_ways_is_one_statement(store: Neo4jStore) -> None:
    source = resource("301001001/000001")
    middle = resource("301001001/000002", derived_from=(source.code,))
    derived = dataclasses.replace(
        resource("301001001/000003"), derived_from=(middle.code, "301001001/000404")
    )
    for entry in (source, middle, derived):
        await store.save(entry, None)
    statements: list[str] = []

    async def counted(tx: AsyncManagedTransaction) -> Any:
        class Spy:
            async def run(self, query: str, parameters: Any = None, **named: Any) -> Any:
                statements.append(query)
                return await tx.run(query, parameters, **named)

        return await lineage(Spy(), middle.code, Direction.BOTH, 3)  # type: ignore[arg-type]

    walked = await store._read("walk both ways", counted)
    assert len(statements) == 1
    assert sorted(walked.nodes) == [source.code, middle.code, derived.code]
    assert {(e.derived, e.source) for e in walked.edges} == {
        (middle.code, source.code),
        (derived.code, middle.code),
    }
    assert walked == await store.lineage(middle.code, Direction.BOTH, 3)
