"""The sync over a three-node Kafka cluster (infra.kafka.cluster): a link's topics are kept three
times with two in sync, a broker killed with SIGKILL in the middle of a mirror loses and
duplicates nothing in the target (on Neo4j) nor in the topic (the relay's producer is
idempotent and waits for ``acks=all``), and the node started again catches up.

The cluster is this module's own (it kills its nodes), on six consecutive free ports, or from
``MULU_TEST_KAFKA_CLUSTER_PORT`` on (P..P+5)."""

from __future__ import annotations

import asyncio
import gc
import os
import secrets
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer
from confluent_kafka import TopicPartition as ConfluentPartition

from infra.kafka import KafkaAdmin, KafkaCluster
from infra.kafka.admin import KafkaAdminError
from infra.kafka.connection import QUIET_CLIENT
from infra.net import free_port_range
from sync.events import decode
from sync.log.kafka import KafkaLog
from sync.worker import Backoff, SyncWorker
from tests.sync.conftest import MakeLink, kafka_settings
from tests.sync.test_end_to_end import ALL, CE, CI, embedded, published, until, write

pytestmark = [pytest.mark.kafka, pytest.mark.neo4j]


@pytest.fixture(scope="module")
def cluster() -> Iterator[KafkaCluster]:
    """Three KRaft nodes of this module's own, to kill and start again."""
    home = Path(tempfile.mkdtemp(prefix="mulu-test-kafka-cluster-"))
    named = os.environ.get("MULU_TEST_KAFKA_CLUSTER_PORT")
    port = int(named) if named else free_port_range(6)
    cluster = KafkaCluster(
        home, port, secrets.token_urlsafe(18), owner_pid=os.getpid(), heap="384m"
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


def topic_records(connection: Any, topic: str) -> list[tuple[str, int]]:
    """(resource code, version) of every record in `topic`, read from the start."""
    consumer = Consumer(
        {
            **connection.confluent(),
            "group.id": f"check-{secrets.token_hex(4)}",
            "enable.auto.commit": False,
            **QUIET_CLIENT,
        }
    )
    try:
        consumer.assign([ConfluentPartition(topic, 0, OFFSET_BEGINNING)])
        found: list[tuple[str, int]] = []
        idle = 0
        while idle < 3:
            message = consumer.poll(2.0)
            if message is None:
                idle += 1
                continue
            if message.error() is not None:
                raise AssertionError(f"reading {topic}: {message.error()}")
            event = decode(message.value())
            found.append((event.resource_code, event.version))
        return found
    finally:
        consumer.close()


async def test_a_broker_killed_mid_mirror_loses_and_duplicates_nothing(
    tmp_path: Path, cluster: KafkaCluster, neo4j_server: Any, link: MakeLink
) -> None:
    mirror = link(CI, CE)
    # The producer's own window (``request_timeout_ms``, 30 s as in production) outlasts the
    # cluster's failover: a dead node is fenced after ``broker.session.timeout.ms`` (9 s) and
    # a new leader elected. Within it the idempotent producer retries its batches with their
    # sequence numbers, and the new leader writes each once; a window shorter than the failover
    # (5 s here once) fails a batch the dying leader had already copied, and the relay's
    # sending it again from the outbox is a second copy in the topic (one the target finds
    # stale: the target below holds each entry once either way).
    settings = kafka_settings(cluster.connection)
    admin = KafkaAdmin(cluster.connection)
    total, updated = 300, 20
    async with (
        embedded(tmp_path, CI, CE, neo4j=neo4j_server, on_neo4j=CE) as stores,
        KafkaLog.open(settings) as source_log,
        KafkaLog.open(settings) as target_log,
    ):
        source = SyncWorker(stores[CI], source_log, [mirror], backoff=Backoff(0.1, 1.0))
        target = SyncWorker(stores[CE], target_log, [mirror], backoff=Backoff(0.1, 1.0))
        consumer = target.consumers[0].status
        async with source, target:
            # The relay creates the link's topics: three copies, two must hold a write.
            held: dict[str, Any] = {}
            for _ in range(300):
                try:
                    held = await asyncio.to_thread(admin.describe_topics, mirror.topics)
                except KafkaAdminError:  # a broker that has not learned of the topic yet
                    held = {}
                if len(held) == len(mirror.topics):
                    break
                await asyncio.sleep(0.2)
            assert {t: (s.replicas, s.in_sync) for t, s in held.items()} == {
                t: (3, 3) for t in mirror.topics
            }
            assert held[mirror.topic].config["min.insync.replicas"] == "2"
            assert held[mirror.topic].config["cleanup.policy"] == "compact"

            for n in range(1, total // 2 + 1):
                await write(stores[CI], published(n))
            await until(lambda: consumer.applied > 0, 60)
            # The node leading the link's partition dies mid-stream, without a word.
            victim = await asyncio.to_thread(admin.leader, mirror.topic)
            assert await asyncio.to_thread(cluster.kill, victim) is not None
            for n in range(total // 2 + 1, total + 1):
                await write(stores[CI], published(n))
            for n in range(1, updated + 1):
                await write(stores[CI], published(n, version=2, name=f"断点期间更新{n}"))
            # The consumer reads to the topic's end. (Its counters may fall short of the
            # events: a commit the dying broker wrote but did not confirm leaves the batch
            # applied, committed and uncounted — the target's content below is what counts.)
            try:
                await until(lambda: consumer.position == total + updated, 120)
                await until(lambda: consumer.lag == 0, 30)
            except TimeoutError:
                shown = [s.as_dict() for s in source.statuses() + target.statuses()]
                raise AssertionError(f"the link did not catch up: {shown}") from None

            # Every entry once in the target on Neo4j, at its last version.
            assert (await stores[CE].find(ALL, first=1)).total_count == total
            for n in range(1, total + 1):
                copy = await stores[CE].get(published(n).code)
                assert copy is not None, n
                assert copy.version == (2 if n <= updated else 1), n
            assert consumer.applied <= total + updated  # nothing applied twice

            # The idempotent producer wrote each version into the topic once, even where it
            # retried against a new leader.
            records = await asyncio.to_thread(topic_records, cluster.connection, mirror.topic)
            repeated = [key for key, times in Counter(records).items() if times > 1]
            assert repeated == []
            assert len(records) == total + updated

            # The relay's producer is the one DESIGN point 1 asks for: it waits for every
            # in-sync copy (acks=all, -1 on the wire) and numbers its batches so that a retry
            # is written once (idempotence: a producer id and sequence numbers).
            producer = source_log._producer
            assert producer is not None
            assert producer._sender._acks == -1
            assert producer._txn_manager is not None
            assert producer._txn_manager.producer_id >= 0

            # The killed node comes back and catches up.
            await asyncio.to_thread(cluster.start)

    # The killed node rejoined: every copy in sync again.
    def in_sync() -> bool:
        return admin.describe_topics([mirror.topic])[mirror.topic].in_sync == 3

    await until(in_sync, 60)
    # aiokafka leaves the sockets of connections to the killed broker for the garbage
    # collector; collected here, their ResourceWarnings are not this suite's failures.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
