"""`KafkaLog`: the `ChangeLog` on Kafka (aiokafka), for production.

- producer: idempotent, ``acks='all'``, key = resource code; `append` returns once the broker
  acknowledged every record (DESIGN "Instances and sync", point 1);
- readers: ``enable_auto_commit=False``, a manually assigned partition, committed by the caller
  after the batch was applied (point 3); a group without a committed offset starts at the
  beginning (bootstrap, point 7);
- topics: one partition, ``cleanup.policy=compact``, created through aiokafka's admin client
  with the replication `sync.topics.replication` derives from the cluster's brokers (three
  copies, two in sync, on three brokers or more) unless the settings give it;
- SASL_SSL (or SASL_PLAINTEXT) with SCRAM-SHA-512: one principal per instance, held to its
  link topics by the broker's ACLs (point 6); over SASL_SSL the broker's certificate is
  verified with ``ssl_cafile`` and its host name checked, and a client certificate
  (``ssl_certfile``, ``ssl_keyfile``) is offered for mutual TLS. A client that cannot connect
  because of TLS gets `LogNotTrusted` naming the setting (`sync.log.kafka_tls`), one whose
  password the broker refuses `LogNotAuthenticated` with the broker's words, not an outage.

Clients start lazily, so a principal that may only read never starts a producer. aiokafka's
errors leave as `sync.errors` (`LogUnavailable` when aiokafka says it is retriable).

    settings = KafkaClientSettings(
        "127.0.0.1:9092", "mulu-510100-intranet", secret,
        security_protocol="SASL_SSL", ssl_cafile="var/pki/ca.crt",
    )
    async with KafkaLog.open(settings) as log:
        await log.append(link.topic, [(event.resource_code, encode(event))])
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    SaslAuthenticationFailed,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
    for_code,
)

from sync.errors import (
    LogClosed,
    LogError,
    LogNotAuthenticated,
    LogNotPermitted,
    LogUnavailable,
    UnknownTopic,
)
from sync.log.kafka_tls import client_ssl_context, diagnose
from sync.log.protocol import ChangeLog, Record
from sync.topics import replication

__all__ = ["KafkaClientSettings", "KafkaLog"]

_PARTITION = 0  # one partition per link topic: one sequence of offsets

_log = logging.getLogger("mulu.sync.kafka")


@dataclass(frozen=True, slots=True)
class KafkaClientSettings:
    """How this instance's aiokafka clients reach the brokers, as its own principal: over
    SASL_SSL, the broker verified with `ssl_cafile` (PEM; None: the system's CAs) and, for
    mutual TLS, the client certificate `ssl_certfile` with its key `ssl_keyfile`."""

    bootstrap_servers: str
    user: str
    password: str = field(repr=False)
    mechanism: str = "SCRAM-SHA-512"
    security_protocol: str = "SASL_PLAINTEXT"
    client_id: str = "mulu-sync"
    replication_factor: int | None = None  # None: derived from the cluster (sync.topics)
    min_insync_replicas: int | None = None
    request_timeout_ms: int = 30_000
    ssl_cafile: str | Path | None = None
    ssl_certfile: str | Path | None = None
    ssl_keyfile: str | Path | None = None

    def __post_init__(self) -> None:
        if self.security_protocol not in _PROTOCOLS:
            raise ValueError(
                f"security_protocol {self.security_protocol!r} is not accepted; use "
                + " or ".join(repr(p) for p in _PROTOCOLS)
            )
        if self.security_protocol != "SASL_SSL":
            given = [n for n in _SSL_FIELDS if getattr(self, n) is not None]
            if given:
                raise ValueError(
                    f"{', '.join(given)} given but security_protocol is "
                    f"{self.security_protocol}; TLS files are used over SASL_SSL only"
                )
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("give ssl_certfile and ssl_keyfile together, or neither")

    @property
    def tls(self) -> bool:
        return self.security_protocol == "SASL_SSL"

    def client(self) -> dict[str, Any]:
        """Keyword arguments of every aiokafka client; over SASL_SSL with an `ssl_context`
        (a file that cannot be used is a `LogError` naming its setting)."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.user,
            "sasl_plain_password": self.password,
            "client_id": self.client_id,
            "request_timeout_ms": self.request_timeout_ms,
        }
        if self.tls:
            options["ssl_context"] = client_ssl_context(
                cafile=self.ssl_cafile, certfile=self.ssl_certfile, keyfile=self.ssl_keyfile
            )
        return options


_PROTOCOLS = ("SASL_SSL", "SASL_PLAINTEXT")
_SSL_FIELDS = ("ssl_cafile", "ssl_certfile", "ssl_keyfile")


def _translate(exc: BaseException, what: str) -> LogError:
    """aiokafka's error as the sync's, naming what was being done."""
    message = f"{what}: {type(exc).__name__}: {exc}"
    if isinstance(
        exc,
        TopicAuthorizationFailedError
        | GroupAuthorizationFailedError
        | ClusterAuthorizationFailedError,
    ):
        return LogNotPermitted(message)
    if isinstance(exc, KafkaConnectionError | KafkaTimeoutError | TimeoutError):
        return LogUnavailable(message)
    if isinstance(exc, KafkaError) and exc.retriable:
        return LogUnavailable(message)
    return LogError(message)


async def _failure(settings: KafkaClientSettings, exc: BaseException, what: str) -> LogError:
    """`_translate`, except that a client that could not connect because of TLS (the
    broker's certificate, or the two ends disagreeing on TLS) gets `LogNotTrusted`, and one
    whose credentials the broker refused `LogNotAuthenticated` (aiokafka says only "Unable to
    bootstrap" of either and leaves the reason in its log)."""
    if isinstance(exc, KafkaConnectionError):
        context = settings.client()["ssl_context"] if settings.tls else None
        untrusted = await diagnose(
            settings.bootstrap_servers, context, cafile=settings.ssl_cafile, what=what
        )
        if untrusted is not None:
            return untrusted
        refused = await _authentication(settings, context)
        if refused is not None:
            return LogNotAuthenticated(f"{what}: {refused}")
    return _translate(exc, what)


async def _authentication(settings: KafkaClientSettings, context: Any) -> str | None:
    """One SASL handshake with each bootstrap address in turn: what the first broker that
    answers says of the credentials, when it refuses them; None when it accepts them or none
    answers (an outage, not a refusal)."""
    for item in settings.bootstrap_servers.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            continue
        try:
            connection = await asyncio.wait_for(
                create_conn(
                    host.strip("[]"),
                    int(port),
                    ssl_context=context,
                    security_protocol=settings.security_protocol,
                    sasl_mechanism=settings.mechanism,
                    sasl_plain_username=settings.user,
                    sasl_plain_password=settings.password,
                ),
                _AUTH_PROBE_SECONDS,
            )
        except SaslAuthenticationFailed as refused:
            return (
                f"the broker at {host}:{port} refused the {settings.mechanism} credentials of "
                f"{settings.user!r} ({refused.args[0] if refused.args else refused}); give this "
                "principal's password (MULU_KAFKA_PASSWORD_<INSTANCE>, or kafka.user and "
                "kafka.password)"
            )
        except (OSError, TimeoutError, KafkaError):
            continue
        connection.close()
        return None
    return None


_AUTH_PROBE_SECONDS = 5.0


class KafkaLog:
    """The link topics on a Kafka cluster, as one principal."""

    def __init__(self, settings: KafkaClientSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._metadata: AIOKafkaConsumer | None = None
        self._known_topics: set[str] = set()
        self._lock = asyncio.Lock()
        self._open = False

    @classmethod
    @asynccontextmanager
    async def open(cls, settings: KafkaClientSettings) -> AsyncIterator[KafkaLog]:
        log = cls(settings)
        await log.connect()
        try:
            yield log
        finally:
            await log.close()

    async def connect(self) -> None:
        if self._open:
            raise RuntimeError("this KafkaLog is already open")
        self._open = True

    async def close(self) -> None:
        """Stop the clients; harmless when already closed."""
        self._open = False
        producer, self._producer = self._producer, None
        metadata, self._metadata = self._metadata, None
        for client in (producer, metadata):
            if client is not None:
                await client.stop()

    async def __aenter__(self) -> KafkaLog:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def check(self) -> None:
        """Connect as this principal, once: `LogNotAuthenticated`, `LogNotTrusted` or
        `LogUnavailable` saying why not (a start-up check, before any link runs)."""
        self._check_open()
        await self._started_metadata()

    # -- ChangeLog ----------------------------------------------------------------------------

    async def create_topic(self, topic: str) -> None:
        self._check_open()
        admin = AIOKafkaAdminClient(**self._settings.client())
        try:
            try:
                await admin.start()
            except KafkaConnectionError as exc:
                raise await _failure(self._settings, exc, f"creating topic {topic!r}") from exc
            cluster = await admin.describe_cluster()
            copies = replication(
                len(cluster.get("brokers", [])),
                self._settings.replication_factor,
                self._settings.min_insync_replicas,
            )
            response = await admin.create_topics(
                [
                    NewTopic(
                        topic,
                        num_partitions=1,
                        replication_factor=copies.factor,
                        topic_configs={"cleanup.policy": "compact", **copies.config()},
                    )
                ]
            )
        except (TimeoutError, KafkaError, OSError) as exc:
            raise _translate(exc, f"creating topic {topic!r}") from exc
        finally:
            await admin.close()
        for _name, code, *_ in response.topic_errors:
            if code not in (0, TopicAlreadyExistsError.errno):
                error = for_code(code)()
                raise _translate(error, f"creating topic {topic!r}") from error
        await self._await_topic(topic)

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        self._check_open()
        if not records:
            return []
        await self._check_topic(topic)
        producer = await self._started_producer()
        try:
            sent = [
                await producer.send(
                    topic, bytes(value), key=key.encode("utf-8"), partition=_PARTITION
                )
                for key, value in records
            ]
            acknowledged = await asyncio.gather(*sent)
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"appending to {topic!r}") from exc
        return [int(meta.offset) for meta in acknowledged]

    async def end_offset(self, topic: str) -> int:
        self._check_open()
        await self._check_topic(topic)
        metadata = await self._started_metadata()
        partition = TopicPartition(topic, _PARTITION)
        try:
            ends = await metadata.end_offsets([partition])
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"reading the end offset of {topic!r}") from exc
        return int(ends[partition])

    @asynccontextmanager
    async def reader(self, topic: str, group: str) -> AsyncIterator[_KafkaReader]:
        self._check_open()
        await self._check_topic(topic)
        consumer = AIOKafkaConsumer(
            **self._settings.client(),
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        try:
            await consumer.start()
            partition = TopicPartition(topic, _PARTITION)
            consumer.assign([partition])
            reader = _KafkaReader(consumer, partition, group)
            await reader.seek_to_committed()
        except (TimeoutError, KafkaError) as exc:
            await consumer.stop()
            what = f"reading {topic!r} for group {group!r}"
            raise await _failure(self._settings, exc, what) from exc
        try:
            yield reader
        finally:
            reader.closed = True
            await _stop(consumer, f"the reader of {topic!r}")

    # -- clients ------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if not self._open:
            raise LogClosed("this KafkaLog is not open")

    async def _started_producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(
                    **self._settings.client(), enable_idempotence=True, acks="all"
                )
                try:
                    await producer.start()
                except (TimeoutError, KafkaError) as exc:
                    await producer.stop()
                    raise await _failure(self._settings, exc, "starting the producer") from exc
                self._producer = producer
            return self._producer

    async def _started_metadata(self) -> AIOKafkaConsumer:
        async with self._lock:
            if self._metadata is None:
                metadata = AIOKafkaConsumer(**self._settings.client(), enable_auto_commit=False)
                try:
                    await metadata.start()
                except (TimeoutError, KafkaError) as exc:
                    await metadata.stop()
                    what = "connecting to the brokers"
                    raise await _failure(self._settings, exc, what) from exc
                self._metadata = metadata
            return self._metadata

    async def _check_topic(self, topic: str) -> None:
        """UnknownTopic for a topic that does not exist: a link topic must be created (and
        compacted), never auto-created by a producer's first send."""
        if topic in self._known_topics:
            return
        metadata = await self._started_metadata()
        try:
            topics = await metadata.topics()  # all topics this principal may describe
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, "listing topics") from exc
        if topic not in topics:
            raise UnknownTopic(topic)
        self._known_topics.add(topic)

    async def _await_topic(self, topic: str, attempts: int = 50) -> None:
        for _ in range(attempts):
            try:
                await self._check_topic(topic)
                return
            except UnknownTopic:
                await asyncio.sleep(0.1)
        raise LogUnavailable(f"topic {topic!r} was created but does not show in the metadata")


# How long stopping a client may take: after a broker restart, aiokafka's consumer can wait
# for ever on a coordinator the broker no longer knows, and a link must not hang with it.
_STOP_SECONDS = 10.0


async def _stop(client: AIOKafkaConsumer, what: str) -> None:
    task = asyncio.ensure_future(client.stop())
    done, _ = await asyncio.wait({task}, timeout=_STOP_SECONDS)
    if not done:
        task.cancel()
        _log.warning("gave up stopping %s after %.0f s", what, _STOP_SECONDS)


class _KafkaReader:
    """A reader of one topic's partition for one consumer group."""

    def __init__(self, consumer: AIOKafkaConsumer, partition: TopicPartition, group: str) -> None:
        self._consumer = consumer
        self._partition = partition
        self._group = group
        self._position: int | None = None
        self.closed = False

    @property
    def topic(self) -> str:
        return str(self._partition.topic)

    @property
    def stalls(self) -> bool:
        return True  # a client can wait on a connection that will never answer

    @property
    def group(self) -> str:
        return self._group

    async def getmany(self, max_records: int = 500, timeout_ms: int = 1000) -> list[Record]:
        self._check_open()
        try:
            batches = await self._consumer.getmany(
                self._partition, timeout_ms=timeout_ms, max_records=max_records
            )
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"reading {self.topic!r}") from exc
        records = [
            Record(self.topic, int(r.offset), r.key.decode("utf-8"), bytes(r.value))
            for r in batches.get(self._partition, [])
        ]
        if records:
            self._position = records[-1].offset + 1
        return records

    async def commit(self, offset: int | None = None) -> None:
        self._check_open()
        try:
            if offset is None:
                offset = self._position
                if offset is None:
                    offset = await self._consumer.position(self._partition)
            await self._consumer.commit({self._partition: offset})
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"committing {self.topic!r} for {self._group!r}") from exc

    async def committed(self) -> int | None:
        self._check_open()
        try:
            offset = await self._consumer.committed(self._partition)
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"reading the committed offset of {self._group!r}") from exc
        return None if offset is None else int(offset)

    async def seek_to_beginning(self) -> None:
        self._check_open()
        try:
            await self._consumer.seek_to_beginning(self._partition)
            self._position = int(await self._consumer.position(self._partition))
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"seeking to the beginning of {self.topic!r}") from exc

    async def seek_to_committed(self) -> None:
        committed = await self.committed()
        if committed is None:
            await self.seek_to_beginning()
        else:
            self._consumer.seek(self._partition, committed)
            self._position = committed

    async def lag(self) -> int:
        self._check_open()
        try:
            end = (await self._consumer.end_offsets([self._partition]))[self._partition]
            committed = await self.committed()
            if committed is None:
                begin = await self._consumer.beginning_offsets([self._partition])
                committed = begin[self._partition]
        except (TimeoutError, KafkaError) as exc:
            raise _translate(exc, f"measuring the lag of {self._group!r}") from exc
        return max(int(end) - int(committed), 0)

    def _check_open(self) -> None:
        if self.closed:
            raise LogClosed(f"the reader of {self.topic} for group {self._group} is closed")


def _conforms(log: KafkaLog) -> ChangeLog:
    return log  # mypy checks that KafkaLog implements ChangeLog
