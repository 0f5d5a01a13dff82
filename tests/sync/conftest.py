"""Fixtures of the end-to-end sync tests: a change log (the embedded one, and a real Kafka
broker as its super user) and links whose topics are this test's own."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.log.kafka import KafkaClientSettings, KafkaLog
from sync.log.protocol import ChangeLog

MakeLink = Callable[[str, str], Link]


def kafka_settings(connection: Any, **overrides: Any) -> KafkaClientSettings:
    """The sync's client settings for an infra `KafkaConnection` (the suite's broker is
    SASL_SSL: its CA comes along), with `overrides`."""
    settings = KafkaClientSettings(
        connection.bootstrap_servers,
        connection.user,
        connection.password,
        mechanism=connection.mechanism,
        security_protocol=connection.security_protocol,
        ssl_cafile=connection.ssl_cafile,
    )
    return dataclasses.replace(settings, **overrides)


@pytest.fixture(
    params=["embedded", pytest.param("kafka", marks=[pytest.mark.kafka, pytest.mark.neo4j])]
)
async def sync_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ChangeLog]:
    """The embedded log, or Kafka (whose runs also put one store on Neo4j: see `on_neo4j`)."""
    if request.param == "embedded":
        async with EmbeddedLog.open(tmp_path / "log.db") as embedded:
            yield embedded
    else:
        async with KafkaLog.open(kafka_settings(request.getfixturevalue("kafka_server"))) as kafka:
            yield kafka


@pytest.fixture
def on_neo4j(request: pytest.FixtureRequest) -> Any:
    """The Neo4j server when the test runs over Kafka (one store of it goes there), else None."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("sync_log") == "kafka":
        return request.getfixturevalue("neo4j_server")
    return None


@pytest.fixture
def link() -> MakeLink:
    """``link(source, target)``: `Link.between`, with topics no other test uses."""
    prefix = f"mulu.test.{uuid.uuid4().hex[:10]}"
    return lambda source, target: dataclasses.replace(Link.between(source, target), prefix=prefix)
