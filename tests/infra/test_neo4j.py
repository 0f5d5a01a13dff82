"""A real Neo4j: authenticated Bolt, refused passwords, data across a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase, GraphDatabase
from neo4j.exceptions import AuthError

from infra import Neo4jConnection, Neo4jServer, ServerStartError, free_port

pytestmark = pytest.mark.neo4j


async def test_authenticated_bolt_round_trip(neo4j_server: Neo4jConnection) -> None:
    async with AsyncGraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth) as driver:
        await driver.verify_connectivity()
        records, _, _ = await driver.execute_query(
            "CREATE (c:Catalog {code: $code}) RETURN c.code AS code", code="510100"
        )
        assert [r["code"] for r in records] == ["510100"]
        await driver.execute_query("MATCH (c:Catalog {code: '510100'}) DELETE c")


async def test_wrong_password_is_refused(neo4j_server: Neo4jConnection) -> None:
    wrong = (neo4j_server.user, neo4j_server.password + "-wrong")
    async with AsyncGraphDatabase.driver(neo4j_server.uri, auth=wrong) as driver:
        with pytest.raises(AuthError):
            await driver.verify_connectivity()


async def test_neo4j_driver_fixture_starts_from_an_empty_graph(neo4j_driver: AsyncDriver) -> None:
    records, _, _ = await neo4j_driver.execute_query("MATCH (n) RETURN count(n) AS n")
    assert records[0]["n"] == 0


def test_data_survives_stop_and_start(tmp_path: Path) -> None:
    """A server of its own, so that the session's server is not disturbed."""
    server = Neo4jServer(tmp_path / "home", free_port(), "persist-password")
    try:
        assert not server.status().running
        info = server.start()
        first = server.status()
        assert first.running
        assert first.answering

        again = server.start()  # a second start of a running server is harmless
        assert again == info
        assert server.status().pid == first.pid

        with GraphDatabase.driver(info.uri, auth=info.auth) as driver:
            driver.execute_query("CREATE (:Resource {code: 'R-1', name: '人口基础信息'})")

        # The initial password is fixed at the first start: another one fails fast, with the
        # reason, and leaves the running server (which that call did not start) alone.
        other = Neo4jServer(server.home, server.bolt_port, "another-password", start_timeout=60)
        with pytest.raises(ServerStartError, match="refused the password"):
            other.start()
        assert server.status().pid == first.pid

        assert server.stop() is True
        stopped = server.status()
        assert not stopped.running
        assert not stopped.answering
        assert server.stop() is False  # stopping a stopped server says so

        with server as info:  # the context manager starts, and stops on leaving
            with GraphDatabase.driver(info.uri, auth=info.auth) as driver:
                records, _, _ = driver.execute_query("MATCH (r:Resource) RETURN r.name AS name")
            assert [r["name"] for r in records] == ["人口基础信息"]
        assert not server.status().running
    finally:
        server.stop()


def test_a_jvm_that_exits_fails_the_start_with_the_log_tail(tmp_path: Path) -> None:
    server = Neo4jServer(tmp_path / "home", free_port(), "failing-password", heap="1k")
    with pytest.raises(ServerStartError, match="exited during start-up") as raised:
        server.start()
    assert "log tail" in str(raised.value)
    assert "heap" in raised.value.log_tail.lower()  # the JVM's own complaint
    assert not server.status().running
