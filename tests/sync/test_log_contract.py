"""The `ChangeLog` contract: every test runs against the embedded log and against a real
Kafka broker (SASL/SCRAM, ACLs), DESIGN "Instances and sync", points 1, 3, 6 and 7."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from sync.errors import LogClosed, LogNotPermitted, UnknownTopic
from sync.log.embedded import EmbeddedLog
from sync.log.kafka import KafkaLog
from sync.log.protocol import ChangeLog, Record
from tests.sync.conftest import kafka_settings as _settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
async def log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ChangeLog]:
    if request.param == "embedded":
        async with EmbeddedLog.open(tmp_path / "log.db") as embedded:
            yield embedded
    else:
        connection = request.getfixturevalue("kafka_server")
        async with KafkaLog.open(_settings(connection)) as kafka:
            yield kafka


@pytest.fixture
def topic(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    unique_topic: Callable[..., str] | None = None
    if "kafka" in request.node.callspec.params.get("log", ""):
        unique_topic = request.getfixturevalue("unique_topic")
    return unique_topic("sync") if unique_topic else f"sync.{secrets.token_hex(6)}"


def fold(records: list[Record]) -> dict[str, bytes]:
    """The current state: the last value of every key."""
    return {record.key: record.value for record in records}


async def read_all(log: ChangeLog, topic: str, group: str) -> list[Record]:
    out: list[Record] = []
    async with log.reader(topic, group) as reader:
        while True:
            batch = await reader.getmany(max_records=100, timeout_ms=500)
            if not batch:
                return out
            out += batch


async def test_append_returns_consecutive_offsets(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    await log.create_topic(topic)  # idempotent
    assert await log.end_offset(topic) == 0
    assert await log.append(topic, [("a", b"1"), ("b", b"2")]) == [0, 1]
    assert await log.append(topic, [("c", b"3")]) == [2]
    assert await log.append(topic, []) == []
    assert await log.end_offset(topic) == 3


async def test_a_new_group_reads_from_the_start_in_order(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    await log.append(topic, [(f"301001001/{n:06d}", f"v{n}".encode()) for n in range(7)])
    records = await read_all(log, topic, "g1")
    assert [r.offset for r in records] == list(range(7))
    assert records[3] == Record(topic, 3, "301001001/000003", b"v3")


async def test_commit_after_apply_and_resume(log: ChangeLog, topic: str) -> None:
    """A reader resumes after its group's commit; what it read but did not commit is read
    again (at least once: the store's version check makes the replay harmless)."""
    await log.create_topic(topic)
    await log.append(topic, [(str(n), str(n).encode()) for n in range(6)])
    async with log.reader(topic, "target") as reader:
        assert await reader.committed() is None
        assert await reader.lag() == 6
        first = await reader.getmany(max_records=2, timeout_ms=5000)
        assert [r.offset for r in first] == [0, 1]
        await reader.commit()
        assert await reader.committed() == 2
        assert await reader.lag() == 4
        unconfirmed = await reader.getmany(max_records=2, timeout_ms=5000)
        assert [r.offset for r in unconfirmed] == [2, 3]
    async with log.reader(topic, "target") as reader:
        again = await reader.getmany(max_records=10, timeout_ms=5000)
        assert [r.offset for r in again][:2] == [2, 3]
        await reader.commit(4)
        assert await reader.committed() == 4
        assert reader.topic == topic
        assert reader.group == "target"


async def test_groups_are_independent(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    await log.append(topic, [("k", b"1"), ("k", b"2")])
    async with log.reader(topic, "one") as one:
        await one.getmany(timeout_ms=5000)
        await one.commit()
    assert [r.value for r in await read_all(log, topic, "two")] == [b"1", b"2"]


async def test_getmany_waits_for_an_append(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    async with log.reader(topic, "waiting") as reader:
        assert await reader.getmany(timeout_ms=200) == []

        async def later() -> None:
            await asyncio.sleep(0.3)
            await log.append(topic, [("k", b"late")])

        appending = asyncio.create_task(later())
        records = await reader.getmany(timeout_ms=10_000)
        await appending
        assert [r.value for r in records] == [b"late"]


async def test_seek_to_beginning_reads_again(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    await log.append(topic, [("a", b"1"), ("b", b"2")])
    async with log.reader(topic, "again") as reader:
        await reader.getmany(timeout_ms=5000)
        await reader.commit()
        await reader.seek_to_beginning()
        assert [r.offset for r in await reader.getmany(timeout_ms=5000)] == [0, 1]


async def test_reading_from_the_start_yields_the_current_state(log: ChangeLog, topic: str) -> None:
    """A new instance bootstraps from the compacted topic (DESIGN point 7)."""
    await log.create_topic(topic)
    await log.append(topic, [("a", b"a1"), ("b", b"b1"), ("a", b"a2"), ("c", b"c1")])
    await log.append(topic, [("b", b"b2"), ("a", b"a3")])
    expected = {"a": b"a3", "b": b"b2", "c": b"c1"}
    if isinstance(log, EmbeddedLog):
        assert await log.compact(topic) == 3
        records = await read_all(log, topic, "bootstrap")
        assert [r.key for r in records] == ["c", "b", "a"]  # one per key, in offset order
        assert await log.end_offset(topic) == 6  # offsets never reused
        assert await log.append(topic, [("d", b"d1")]) == [6]
        expected["d"] = b"d1"
    assert fold(await read_all(log, topic, "bootstrap-2")) == expected


async def test_an_unknown_topic_is_refused(log: ChangeLog, topic: str) -> None:
    """A link's topic is created compacted, never auto-created by a first append."""
    with pytest.raises(UnknownTopic):
        await log.append(topic, [("k", b"v")])
    with pytest.raises(UnknownTopic):
        await log.end_offset(topic)
    with pytest.raises(UnknownTopic):
        async with log.reader(topic, "g"):
            pass


async def test_a_closed_reader_refuses(log: ChangeLog, topic: str) -> None:
    await log.create_topic(topic)
    async with log.reader(topic, "g") as reader:
        pass
    with pytest.raises(LogClosed):
        await reader.getmany()


async def test_embedded_records_are_append_only(tmp_path: Path) -> None:
    import sqlite3

    async with EmbeddedLog.open(tmp_path / "log.db", compact_every=3) as log:
        await log.create_topic("t")
        await log.append("t", [("k", b"1"), ("k", b"2"), ("k", b"3")])  # compacts by itself
        assert [r.value for r in await read_all(log, "t", "g")] == [b"3"]
    with sqlite3.connect(tmp_path / "log.db") as db, pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE records SET value = x'00'")
    async with EmbeddedLog.open(tmp_path / "log.db") as log:  # survives a reopen
        assert await log.end_offset("t") == 3
        assert await log.topics() == ["t"]
    await log.close()  # closing twice is harmless
    with pytest.raises(LogClosed):
        await log.end_offset("t")


async def test_processes_creating_the_same_embedded_topics_at_once_make_each_once(
    tmp_path: Path,
) -> None:
    """A topology run in several processes: each creates the topics of every link one of its
    instances ends, so two create the same ones, at the same moment. Each topic is made once,
    and a topic already appended to keeps its records and its end."""
    import sys
    import textwrap

    path = tmp_path / "log.db"
    topics = [f"mulu.sync.t{n}" for n in range(20)]
    async with EmbeddedLog.open(path) as log:
        await log.create_topic(topics[0])
        await log.append(topics[0], [("k", b"v")])
        script = textwrap.dedent(
            f"""
            import asyncio
            from sync.log.embedded import EmbeddedLog

            async def main():
                async with EmbeddedLog.open({str(path)!r}) as log:
                    for _ in range(3):
                        await asyncio.gather(*(log.create_topic(t) for t in {topics!r}))

            asyncio.run(main())
            """
        )
        creating = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", script, env={"PYTHONPATH": str(ROOT)}
            )
            for _ in range(2)
        ]
        for topic in topics:
            await log.create_topic(topic)
        assert [await asyncio.wait_for(p.wait(), 60) for p in creating] == [0, 0]
        assert await log.topics() == sorted(topics)
        assert await log.end_offset(topics[0]) == 1
        assert [r.value for r in await read_all(log, topics[0], "g")] == [b"v"]
        assert {await log.end_offset(t) for t in topics[1:]} == {0}


@pytest.mark.kafka
async def test_kafka_topics_are_compacted_and_held_to_their_principals(
    kafka_server: Any, kafka_admin: Any, unique_topic: Callable[..., str]
) -> None:
    """Each link has its own topic; the source's principal may only write it, the target's
    only read it (DESIGN point 6, SASL/SCRAM and ACLs)."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    topic, other = unique_topic("link"), unique_topic("intranet")
    source, target = f"src-{secrets.token_hex(4)}", f"tgt-{secrets.token_hex(4)}"
    secret = secrets.token_urlsafe(18)
    async with KafkaLog.open(_settings(kafka_server)) as admin_log:
        await admin_log.create_topic(topic)
        await admin_log.create_topic(other)
        await admin_log.append(other, [("k", b"classified-topic")])
    admin = AIOKafkaAdminClient(**_settings(kafka_server).client())
    await admin.start()
    try:
        described = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        configs = {c[0]: c[1] for c in described[0].resources[0][4]}
        assert configs["cleanup.policy"] == "compact"
    finally:
        await admin.close()

    for user in (source, target):
        await asyncio.to_thread(kafka_admin.add_user, user, secret)
    await asyncio.to_thread(kafka_admin.grant_producer, source, topic)
    await asyncio.to_thread(kafka_admin.grant_consumer, target, topic, f"g-{target}")

    as_source = _settings(kafka_server.as_user(source, secret))
    as_target = _settings(kafka_server.as_user(target, secret))
    async with KafkaLog.open(as_source) as log:
        assert await log.append(topic, [("301001001/000001", b"event")]) == [0]
    async with KafkaLog.open(as_target) as log:
        async with log.reader(topic, f"g-{target}") as reader:
            records = await reader.getmany(timeout_ms=10_000)
            assert [r.value for r in records] == [b"event"]
            await reader.commit()
        with pytest.raises((LogNotPermitted, UnknownTopic)):
            await log.append(topic, [("k", b"forged")])
        with pytest.raises((LogNotPermitted, UnknownTopic)):
            async with log.reader(other, f"g-{target}") as reader:
                await reader.getmany(timeout_ms=2000)
