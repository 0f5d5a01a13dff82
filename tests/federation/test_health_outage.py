"""/health while the instance's Neo4j server is stopped: it answers within a second, says the
store is down, and shows the instance's link ends blocked by it — an idle consumer still
counted itself `running` with no error (issue of a real outage) — then recovers."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from federation.app import create_app
from federation.instance import open_instance, open_sync
from federation.settings import Neo4jSettings, Settings
from federation.topology import parse_topology
from infra.neo4j import Neo4jServer
from infra.net import free_port
from sync.log.embedded import EmbeddedLog
from sync.topics import create_topics
from tests.federation.support import serve

pytestmark = pytest.mark.neo4j

PROVINCE, CITY = "510000/intranet", "510100/intranet"


@pytest.fixture
def own_neo4j() -> Iterator[Neo4jServer]:
    """A Neo4j server of this test's own, to stop and start (never the session's)."""
    home = Path(tempfile.mkdtemp(prefix="mulu-test-neo4j-outage-"))
    server = Neo4jServer(
        home, free_port(), secrets.token_urlsafe(12), heap="512m", owner_pid=os.getpid()
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


async def until(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not await check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {seconds} s"
        await asyncio.sleep(0.2)


async def test_health_is_quick_and_true_while_the_store_is_down(
    tmp_path: Path, own_neo4j: Neo4jServer
) -> None:
    info = own_neo4j.connection
    topology = parse_topology(
        {
            "data_dir": str(tmp_path),
            "instances": [
                {"id": PROVINCE, "graphql": "127.0.0.1:9002", "store": {"kind": "embedded"}},
                {"id": CITY, "graphql": "127.0.0.1:9003", "store": {"kind": "embedded"}},
            ],
            "links": [{"source": CITY, "target": PROVINCE}],
        },
        None,
    )
    # The city is not running here: its link's topics are made as its relay would make them.
    async with EmbeddedLog.open(tmp_path / "sync-log.db") as log:
        await create_topics(log, topology.links)
    neo4j = Neo4jSettings(uri=info.uri, user=info.user, password=SecretStr(info.password))
    settings = Settings(instance=PROVINCE, store="neo4j", neo4j=neo4j, data_dir=tmp_path)
    app = create_app(
        settings,
        lambda: open_instance(
            settings, topology=topology, sync=lambda store: open_sync(settings, topology, store)
        ),
    )
    async with serve(app) as http:

        async def consuming() -> bool:
            body = (await http.get("/health")).json()
            return bool(body["sync"]["links"]) and all(
                link["state"] == "running" for link in body["sync"]["links"]
            )

        await until(consuming, 60)
        await asyncio.to_thread(own_neo4j.stop)

        began = time.monotonic()
        response = await http.get("/health")
        took = time.monotonic() - began
        assert took < 1.0, took
        body = response.json()
        assert response.status_code == 503
        assert (body["status"], body["store"]["state"]) == ("degraded", "down")
        ends = body["sync"]["links"]
        assert len(ends) == 2  # the link's consumer and its urgent lane's
        assert all(e["state"] == "blocked" and e["blocked_by"] == "store" for e in ends)
        assert len(body["sync"]["failing"]) == len(ends)

        await asyncio.to_thread(own_neo4j.start)

        async def recovered() -> bool:
            return (await http.get("/health")).json()["status"] == "ok"

        await until(recovered, 60)
