"""Suite-wide fixtures: a real Neo4j and a real Kafka, started lazily, shared by the session.

``neo4j_server`` and ``kafka_server`` are requested only by tests that need them, so a run of
pure unit tests starts nothing. Where the servers come from (environment, Docker, infra/) is
decided in tests/servers.py; a server the run started is stopped and its home deleted at the
end of the session.

    neo4j_server  -> infra.neo4j.Neo4jConnection(uri, user, password; .auth)
    kafka_server  -> infra.kafka.KafkaConnection(bootstrap_servers, user, password, mechanism,
                     security_protocol; .aiokafka(), .confluent(), .as_user(name, password))
    kafka_admin   -> infra.kafka.KafkaAdmin as the super user (users, ACLs, topics)
    neo4j_driver  -> a neo4j.AsyncDriver on an empty graph (everything deleted before the test)
    unique_topic  -> unique_topic(prefix="test") returns a fresh, valid topic name
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase

from infra.kafka import KafkaAdmin, KafkaConnection
from infra.neo4j import Neo4jConnection
from tests import servers


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jConnection]:
    """A Neo4j server for the whole session: its URI, user and password."""
    with servers.neo4j_server() as info:
        yield info


@pytest.fixture(scope="session")
def kafka_server() -> Iterator[KafkaConnection]:
    """A Kafka broker for the whole session, as its super user."""
    with servers.kafka_server() as info:
        yield info


@pytest.fixture(scope="session")
def kafka_admin(kafka_server: KafkaConnection) -> KafkaAdmin:
    """Administration of the session's broker (SCRAM users, ACLs, topics)."""
    return KafkaAdmin(kafka_server)


@pytest.fixture
async def neo4j_driver(neo4j_server: Neo4jConnection) -> AsyncIterator[AsyncDriver]:
    """An async driver on the session's Neo4j, whose graph is emptied before the test."""
    async with AsyncGraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth) as driver:
        await driver.execute_query("MATCH (n) DETACH DELETE n")
        yield driver


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest) -> Callable[..., str]:
    """A factory of topic names unique to this test and run: ``unique_topic("sync")``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name).strip("-")[:80]
    run = uuid.uuid4().hex[:8]
    counter = itertools.count()

    def make(prefix: str = "test") -> str:
        return f"{prefix}.{slug}.{run}.{next(counter)}"

    return make
