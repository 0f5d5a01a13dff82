"""A real Kafka: SCRAM-SHA-512 over SASL_SSL (the session's broker) and SASL_PLAINTEXT (a
broker started without TLS), ACLs, idempotence, a restart, the admin commands over TLS."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from typer.testing import CliRunner

from infra import Acl, KafkaAdmin, KafkaConnection, KafkaServer, free_ports
from infra.cli import app
from infra.kafka.tls import self_signed_tls

pytestmark = pytest.mark.kafka

WAIT = 30.0  # seconds for one message to arrive


async def produce(
    connection: KafkaConnection, topic: str, *values: bytes, **options: object
) -> None:
    producer = AIOKafkaProducer(**connection.aiokafka(), **options)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def consume(connection: KafkaConnection, topic: str, group: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic, group_id=group, auto_offset_reset="earliest", **connection.aiokafka()
    )
    try:
        # start() itself may meet the authorisation error; stop() must run either way.
        await consumer.start()
        received: list[bytes] = []
        while len(received) < count:
            message = await asyncio.wait_for(consumer.getone(), WAIT)
            assert message.value is not None
            received.append(message.value)
        return received
    finally:
        await consumer.stop()


async def test_produce_and_consume_over_scram(
    kafka_server: KafkaConnection, kafka_admin: KafkaAdmin, unique_topic: Callable[..., str]
) -> None:
    assert kafka_server.security_protocol == "SASL_SSL"
    assert kafka_server.mechanism == "SCRAM-SHA-512"
    topic = unique_topic()
    kafka_admin.create_topic(topic)  # the broker creates no topic on a first send
    await produce(kafka_server, topic, "目录".encode(), b"two")
    assert await consume(kafka_server, topic, unique_topic("group"), 2) == ["目录".encode(), b"two"]


async def test_wrong_password_is_refused(
    kafka_server: KafkaConnection, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = kafka_server.as_user(kafka_server.user, kafka_server.password + "-wrong")
    producer = AIOKafkaProducer(**wrong.aiokafka())
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    # aiokafka reports the SASL refusal in its log and then fails to bootstrap.
    assert "SaslAuthenticationFailed" in caplog.text


async def test_reading_needs_topic_and_group_acls(
    kafka_server: KafkaConnection, kafka_admin: KafkaAdmin, unique_topic: Callable[..., str]
) -> None:
    topic, group, user = unique_topic(), unique_topic("group"), f"reader-{uuid.uuid4().hex[:8]}"
    kafka_admin.create_topic(topic)
    await produce(kafka_server, topic, b"secret")
    kafka_admin.add_user(user, "reader-password")
    reader = kafka_server.as_user(user, "reader-password")

    with pytest.raises(TopicAuthorizationFailedError):
        await consume(reader, topic, group, 1)

    kafka_admin.grant(Acl(user, "topic", topic, "read"))
    with pytest.raises(GroupAuthorizationFailedError):
        await consume(reader, topic, group, 1)

    kafka_admin.grant(Acl(user, "group", group, "read"))
    assert await consume(reader, topic, group, 1) == [b"secret"]


async def test_idempotent_producer_needs_only_write_on_the_topic(
    kafka_server: KafkaConnection, kafka_admin: KafkaAdmin, unique_topic: Callable[..., str]
) -> None:
    """Since Kafka 3.0 (KIP-679) WRITE on a topic implies IDEMPOTENT_WRITE."""
    topic, user = unique_topic(), f"writer-{uuid.uuid4().hex[:8]}"
    kafka_admin.create_topic(topic)
    kafka_admin.add_user(user, "writer-password")
    kafka_admin.grant(Acl(user, "topic", topic, "write"))
    writer = kafka_server.as_user(user, "writer-password")

    await produce(writer, topic, b"once", enable_idempotence=True, acks="all")
    assert await consume(kafka_server, topic, unique_topic("group"), 1) == [b"once"]
    assert kafka_admin.acls(user) == [Acl(user, "topic", topic, "write")]


async def test_messages_survive_stop_and_start(tmp_path: Path) -> None:
    """A broker of its own, so that the session's broker is not disturbed."""
    port, controller_port = free_ports(2)
    server = KafkaServer(tmp_path / "home", port, controller_port, "persist-password")
    try:
        assert not server.status().running
        info = await asyncio.to_thread(server.start)
        assert info.security_protocol == "SASL_PLAINTEXT"  # no TLS given: as before
        first = server.status()
        assert first.running
        assert first.answering
        assert await asyncio.to_thread(server.start) == info  # harmless when running
        assert server.status().pid == first.pid

        KafkaAdmin(info).create_topic("durable")
        await produce(info, "durable", b"before-stop", enable_idempotence=True, acks="all")

        assert await asyncio.to_thread(server.stop) is True
        assert not server.status().running
        assert not server.status().answering

        async with server as again:  # the async context manager starts, and stops on leaving
            assert await consume(again, "durable", "after-restart", 1) == [b"before-stop"]
        assert not server.status().running
    finally:
        await asyncio.to_thread(server.stop)


def test_the_admin_commands_speak_sasl_ssl_with_the_ca_file(
    kafka_server: KafkaConnection, tmp_path: Path, unique_topic: Callable[..., str]
) -> None:
    port = kafka_server.bootstrap_servers.rpartition(":")[2]
    admin = ["--port", port, "--admin-user", kafka_server.user]
    admin += ["--admin-password", kafka_server.password]
    topic = unique_topic("cli")
    runner = CliRunner()
    created = runner.invoke(
        app, ["kafka", "topic", "create", topic, *admin, "--ca-file", str(kafka_server.ssl_cafile)]
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(app, ["kafka", "topic", "list", *admin], env=_ca_env(kafka_server))
    assert listed.exit_code == 0, listed.output
    assert topic in listed.output.split()

    other = self_signed_tls(tmp_path / "other")
    refused = runner.invoke(app, ["kafka", "topic", "list", *admin, "--ca-file", str(other.ca)])
    assert refused.exit_code == 1
    assert "the TLS handshake failed" in refused.output
    assert str(other.ca) in refused.output


def _ca_env(connection: KafkaConnection) -> dict[str, str]:
    return {"MULU_INFRA_KAFKA_CAFILE": str(connection.ssl_cafile)}
