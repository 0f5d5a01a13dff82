"""The sync over a real broker with what only Kafka has: per-instance SCRAM principals held
to their links by ACLs (DESIGN point 6), and a broker that stops and starts mid-stream."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError
from confluent_kafka import TopicPartition as ConfluentPartition

from infra.kafka import KafkaAdmin, KafkaServer
from infra.kafka.connection import QUIET_CLIENT
from infra.net import free_ports
from sync.acls import principal, provision_links
from sync.errors import LogNotPermitted
from sync.events import decode
from sync.log.kafka import KafkaClientSettings, KafkaLog
from sync.worker import Backoff, SyncWorker
from tests.servers import platform_tls
from tests.sync.conftest import MakeLink, kafka_settings
from tests.sync.test_end_to_end import ALL, CE, CI, PI, embedded, published, until, write

pytestmark = pytest.mark.kafka


def as_instance(connection: Any, instance: str, password: str) -> KafkaClientSettings:
    return kafka_settings(connection.as_user(principal(instance), password))


async def test_principals_are_held_to_their_links(
    tmp_path: Path, kafka_server: Any, kafka_admin: KafkaAdmin, link: MakeLink
) -> None:
    upward, mirror = link(CI, PI), link(CI, CE)
    passwords = {instance: secrets.token_urlsafe(18) for instance in (CI, PI, CE)}
    await asyncio.to_thread(provision_links, kafka_admin, [upward, mirror], passwords)

    async with (
        embedded(tmp_path, CI, CE) as stores,
        KafkaLog.open(as_instance(kafka_server, CI, passwords[CI])) as intranet_log,
        KafkaLog.open(as_instance(kafka_server, CE, passwords[CE])) as extranet_log,
    ):
        # The real thing, each end as its own principal: the mirror works.
        source = SyncWorker(stores[CI], intranet_log, [upward, mirror], backoff=Backoff(0.05, 1))
        target = SyncWorker(stores[CE], extranet_log, [mirror], backoff=Backoff(0.05, 1))
        async with source, target:
            await write(stores[CI], published(1))
            await until(lambda: target.consumers[0].status.applied == 1, 60)
        assert await stores[CE].get(published(1).code) is not None
        assert [s.last_error for s in target.statuses()] == [None, None]  # both lanes

        # The extranet's principal may not write the topic it reads…
        with pytest.raises(LogNotPermitted):
            await extranet_log.append(mirror.topic, [("301001001/000009", b"forged")])
        # …nor read an intranet topic: the broker itself says no.
        extranet = kafka_server.as_user(principal(CE), passwords[CE])
        refused = await asyncio.to_thread(first_error, extranet, upward.topic, mirror.group)
        assert refused == KafkaError.TOPIC_AUTHORIZATION_FAILED
        # The province may read the upward topic, but not write it.
        async with KafkaLog.open(as_instance(kafka_server, PI, passwords[PI])) as province_log:
            with pytest.raises(LogNotPermitted):
                await province_log.append(upward.topic, [("301001001/000009", b"forged")])
            async with province_log.reader(upward.topic, upward.group) as reader:
                records = await reader.getmany(timeout_ms=10_000)
                assert [decode(r.value).resource_code for r in records] == [published(1).code]


def first_error(connection: Any, topic: str, group: str) -> int | None:
    """The broker's answer to reading `topic` from the start (librdkafka reports it as the
    error of the first message polled)."""
    consumer = Consumer(
        {**connection.confluent(), "group.id": group, "enable.auto.commit": False, **QUIET_CLIENT}
    )
    try:
        described = consumer.list_topics(topic, timeout=10).topics[topic]
        if described.error is not None:  # the broker refuses even to describe it
            return int(described.error.code())
        consumer.assign([ConfluentPartition(topic, 0, OFFSET_BEGINNING)])
        for _ in range(20):
            message = consumer.poll(0.5)
            if message is not None and message.error() is not None:
                return int(message.error().code())
        return None
    finally:
        consumer.close()


@pytest.fixture
def own_broker() -> Iterator[KafkaServer]:
    """A Kafka broker of this test's own, to stop and start (never the session's)."""
    home = Path(tempfile.mkdtemp(prefix="mulu-test-kafka-restart-"))
    port, controller_port = free_ports(2)
    server = KafkaServer(
        home,
        port,
        controller_port,
        secrets.token_urlsafe(18),
        owner_pid=os.getpid(),
        tls=platform_tls(home / "pki"),
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


async def test_a_broker_stopped_mid_stream_loses_and_duplicates_nothing(
    tmp_path: Path, own_broker: KafkaServer, link: MakeLink
) -> None:
    mirror = link(CI, CE)
    settings = kafka_settings(own_broker.connection, request_timeout_ms=5_000)
    total = 300
    async with (
        embedded(tmp_path, CI, CE) as stores,
        KafkaLog.open(settings) as source_log,
        KafkaLog.open(settings) as target_log,
    ):
        source = SyncWorker(stores[CI], source_log, [mirror], backoff=Backoff(0.1, 1.0))
        target = SyncWorker(stores[CE], target_log, [mirror], backoff=Backoff(0.1, 1.0))
        consumer = target.consumers[0].status
        async with source, target:
            for n in range(1, total // 2 + 1):
                await write(stores[CI], published(n))
            await until(lambda: consumer.applied > 0, 60)
            await asyncio.to_thread(own_broker.stop)
            for n in range(total // 2 + 1, total + 1):  # the instance goes on cataloguing
                await write(stores[CI], published(n))
            for n in range(1, 21):
                await write(stores[CI], published(n, version=2, name=f"停机期间更新{n}"))
            await asyncio.sleep(1)
            await asyncio.to_thread(own_broker.start)
            # Every event reaches the target once at least: a batch written but not committed
            # when the broker went is read again, and found stale (counted only then).
            try:
                await until(lambda: consumer.applied + consumer.stale >= total + 20, 120)
            except TimeoutError:
                shown = [s.as_dict() for s in source.statuses() + target.statuses()]
                raise AssertionError(f"the link did not catch up: {shown}") from None
            await until(lambda: consumer.lag == 0, 30)
        held = await stores[CE].find(ALL, first=100)
        assert held.total_count == total
        for n in range(1, total + 1):
            copy = await stores[CE].get(published(n).code)
            assert copy is not None, n
            assert copy.version == (2 if n <= 20 else 1), n
        # No version was applied twice: whatever arrived twice was stale. (A batch written but
        # not committed when the broker went is counted as stale when read again, not applied.)
        assert consumer.applied <= total + 20
        assert source.relays[0].status.errors + consumer.errors > 0  # it did see the outage
