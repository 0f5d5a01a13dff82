"""Opening an instance: its store, its change log, its sync workers, its peers — the one place
that opens what an instance holds for its life.

`open_instance` yields an opened `Instance`, which an app (`federation.app.create_app`)
enters in its lifespan and hands to requests; `Runtime` (federation.runtime) opens the stores,
logs and workers of a whole topology with the pieces below and lends them to each instance.

    async with open_instance(settings, prepare=load_sample) as instance:
        await instance.store.ping()

The pieces: `open_store` (from settings: the embedded file under `data_dir`, or Neo4j),
`open_spec_store` (from a topology entry), the log factories (`embedded_log`, `kafka_logs`,
`logs_from_settings`), `open_worker` (a `SyncWorker` over an instance's links), and
`open_sync` (all of that for one instance of a topology, its topics created first, as
`mulu serve` and `mulu sync` run it).
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import httpx

from federation.api.reference import ReferenceCache
from federation.audit.checkpoints import Checkpointer
from federation.discovery import CrossLevel
from federation.identity.roles import RoleBook
from federation.peers import Peer, PeerClient
from federation.settings import Settings
from federation.sharing import read_calendar
from federation.sharing.events import SharingEvents
from federation.sharing.watch import OverdueWatch
from federation.topology import EmbeddedStoreSpec, InstanceSpec, Topology, load_topology
from graph import Catalog, CatalogStore
from graph.audit.sink import AuditSink
from graph.search import Searcher
from graph.sharing import Sharing, WorkingCalendar
from sync.errors import LogNotAuthenticated
from sync.links import Link
from sync.log.protocol import ChangeLog
from sync.topics import create_topics
from sync.worker import Backoff, SyncWorker

__all__ = [
    "Clock",
    "Instance",
    "LogFactory",
    "OpenInstance",
    "OpenStore",
    "OpenSync",
    "Prepare",
    "embedded_log",
    "embedded_path",
    "instance_password_env",
    "kafka_logs",
    "lend",
    "logs_from_settings",
    "open_instance",
    "open_spec_store",
    "open_store",
    "open_sync",
    "open_worker",
    "peer_tls",
]

_log = logging.getLogger("mulu.instance")
_T = TypeVar("_T")
_BACKOFF = Backoff()  # the worker's own default

# The store, open for the life of the context.
OpenStore = Callable[[], AbstractAsyncContextManager[CatalogStore]]
# What runs on the open store before the first request (the `--sample` load, say).
Prepare = Callable[[CatalogStore], Awaitable[object]]
# The instance's sync with its open store: `open_sync`, or a worker the caller runs.
OpenSync = Callable[[CatalogStore], AbstractAsyncContextManager[SyncWorker | None]]
# instance id → the change log its sync worker uses, open for the life of the context.
LogFactory = Callable[[str], AbstractAsyncContextManager[ChangeLog]]
# The instant now, in UTC: the clock deadlines are counted on (fixed in tests).
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance, opened: what its app hands to requests."""

    settings: Settings
    store: CatalogStore
    cross_level: CrossLevel | None = None
    reference: ReferenceCache | None = None
    sync: SyncWorker | None = None
    audit: AuditSink | None = None
    roles: RoleBook | None = None
    # Sharing: the working calendar (read once at open), the clock, the events publisher.
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar.official)
    clock: Clock = _now
    sharing_events: SharingEvents | None = None


OpenInstance = Callable[[], AbstractAsyncContextManager[Instance]]


@asynccontextmanager
async def lend(opened: _T) -> AsyncIterator[_T]:
    """Something the caller opened (and will close), lent to a context that would close it."""
    yield opened


@asynccontextmanager
async def open_instance(
    settings: Settings,
    *,
    topology: Topology | None = None,
    store: OpenStore | None = None,
    prepare: Prepare | None = None,
    sync: OpenSync | None = None,
    peer_transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = _now,
    events_log: LogFactory | None = None,
) -> AsyncIterator[Instance]:
    """The instance `settings` describe, open for the life of the context.

    `store` opens its store (default: the one `settings` name) and its own catalog is
    registered in it; `prepare` is awaited with it before the instance is ready; its peers
    (the parent and direct children of the same zone) come from `topology`, else from the
    file `settings.topology` names; `peer_transport` replaces the network to them (tests);
    `sync` opens its sync workers with its store (`open_sync`, or a running worker lent).

    Sharing: the working calendar is read from `settings.calendar_dir` once, before anything
    opens — a schedule file that cannot be used stops the start (`ScheduleFileError` naming
    it); `clock` is the instant deadlines are counted from; request and objection events go
    to the change log `events_log` opens (default, for an instance of a topology: the log its
    settings name — Kafka, or the embedded one under `settings.data_dir`; none otherwise: the
    events are not published)."""
    if topology is None and settings.topology is not None:
        topology = load_topology(settings.topology, environ=None)  # peers only: no secrets
    calendar = read_calendar(settings.calendar_dir)
    async with AsyncExitStack() as stack:
        opened = await stack.enter_async_context((store or (lambda: open_store(settings)))())
        await opened.put_catalogs([opened.catalog])
        if prepare is not None:
            await prepare(opened)
        cross_level = None
        if topology is not None:
            own = settings.catalog().id  # `instance`, when given, set its region and zone
            parent = topology.parent_of(own)  # raises TopologyError unless the topology has it
            peers = [Peer(p.id, p.peer_address) for p in topology.peers_of(own)]
            client = PeerClient(
                own,
                peers,
                timeout=settings.peer_timeout_seconds,
                verify=peer_tls(topology, own),
                transport=peer_transport,
            )
            await stack.enter_async_context(client)
            parent_id = parent.id if parent else None
            # With TLS the development headers mean nothing, to this instance or its peers.
            forward = settings.dev_identity_header and not settings.tls.identifies
            cross_level = CrossLevel(own, client, forward, parent_id)
        _log.info("instance ready", extra={"catalog": opened.catalog.id})
        reference = ReferenceCache(opened)  # catalogs, departments: kept 30 s
        audit = await stack.enter_async_context(AuditSink(opened).running())
        await _sign_checkpoints(stack, settings, opened)
        worker = None if sync is None else await stack.enter_async_context(sync(opened))
        if events_log is None and topology is not None:
            events_log = logs_from_settings(settings, settings.data_dir)
        events = None
        if events_log is not None:
            log = await stack.enter_async_context(events_log(opened.catalog.id))
            events = await stack.enter_async_context(SharingEvents(opened.catalog.id, log, opened))
        # Each clock that falls overdue is flagged once, in the audit log (and so on the topic).
        watched = Sharing(opened, calendar, settings.rulebook_in_force(), clock)
        await stack.enter_async_context(
            OverdueWatch(watched, opened, instance=opened.catalog.id).running()
        )
        yield Instance(
            settings,
            opened,
            cross_level,
            reference,
            worker,
            audit,
            RoleBook(opened),
            calendar=calendar,
            clock=clock,
            sharing_events=events,
        )
        _log.info("instance stopping", extra={"catalog": opened.catalog.id})


async def _sign_checkpoints(stack: AsyncExitStack, settings: Settings, store: CatalogStore) -> None:
    """Sign the audit log's head with the instance key while the instance runs (federation.
    audit, rule 3); an instance without a certificate says once that it cannot."""
    cert = settings.audit.cert or settings.tls.cert
    key = settings.audit.key or settings.tls.key
    if cert is None or key is None:
        _log.warning(
            "audit checkpoints are not signed: the instance has no certificate (tls.cert and "
            "tls.key, or audit.cert and audit.key); the chain alone shows an edit only when "
            "the records after it are intact",
            extra={"catalog": store.catalog.id},
        )
        return
    checkpointer = Checkpointer.from_files(
        store,
        cert,
        key,
        actor=store.catalog.id,
        every_records=settings.audit.checkpoint_every_records,
        every=timedelta(minutes=settings.audit.checkpoint_every_minutes),
    )
    await stack.enter_async_context(checkpointer.running())


def peer_tls(topology: Topology, instance: str) -> ssl.SSLContext | None:
    """The TLS context `instance` asks its peers with when its topology has TLS: their
    certificates verified against the topology's CA bundle, its own presented (None without
    TLS). `OSError` when a file cannot be used."""
    own = topology.instance(instance).tls
    if topology.tls is None or own is None:
        return None
    from federation.identity.tls import client_context

    return client_context(topology.tls.ca, own.cert, own.key)


# -- stores ------------------------------------------------------------------------------------


def embedded_path(settings: Settings, catalog: Catalog) -> Path:
    """The SQLite file of `catalog` under the data directory: ``var/510100-intranet.db``."""
    return settings.data_dir / (catalog.id.replace("/", "-") + ".db")


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[CatalogStore]:
    """The store `settings` name, open for the life of the context."""
    catalog = settings.catalog()
    searcher = Searcher.with_synonyms_file(settings.search.synonyms_file)
    if settings.store == "neo4j":
        # Imported only when asked for: an embedded instance never loads the Neo4j driver.
        from graph.neo4j import Neo4jStore

        credentials = (settings.neo4j.user, settings.neo4j.password.get_secret_value())
        async with Neo4jStore.open(
            settings.neo4j.uri,
            credentials,
            catalog=catalog,
            database=settings.neo4j.database,
            searcher=searcher,
        ) as store:
            yield store
        return
    from graph.embedded import EmbeddedStore

    path = embedded_path(settings, catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with EmbeddedStore.open(path, catalog, searcher=searcher) as embedded:
        yield embedded


@asynccontextmanager
async def open_spec_store(spec: InstanceSpec, catalog: Catalog) -> AsyncIterator[CatalogStore]:
    """The store a topology entry names: its embedded file, or its Neo4j server (with the
    password read from the environment when the topology was loaded)."""
    if isinstance(spec.store, EmbeddedStoreSpec):
        from graph.embedded import EmbeddedStore

        spec.store.path.parent.mkdir(parents=True, exist_ok=True)
        async with EmbeddedStore.open(spec.store.path, catalog) as embedded:
            yield embedded
        return
    from graph.neo4j import Neo4jStore

    secret = spec.store.password
    password = secret.get_secret_value() if secret is not None else ""
    async with Neo4jStore.open(
        spec.store.uri,
        (spec.store.user, password),
        catalog=catalog,
        database=spec.store.database,
    ) as neo4j:
        yield neo4j


# -- change logs -------------------------------------------------------------------------------


def embedded_log(path: Path, *, look_seconds: float | None = None) -> LogFactory:
    """Every instance on one `EmbeddedLog` file: opened by the first instance that asks and
    closed when the last one is done with it. `look_seconds`: how soon an append by another
    process is noticed (the log's default, a second, when None)."""
    from graph.embedded.changes import LOOK_SECONDS
    from sync.log.embedded import EmbeddedLog

    shared: dict[str, EmbeddedLog] = {}
    users = 0

    @asynccontextmanager
    async def open_log(instance: str) -> AsyncIterator[ChangeLog]:
        nonlocal users
        if not shared:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Each link topic has one reader, its target: what it committed is delivered. Every
            # link of the deployment reads this one file: four reader threads, not two, so that
            # a consumer's read does not queue behind ninety others' (national-62: 91 links).
            log = EmbeddedLog(
                path,
                prune_consumed=True,
                readers=4,
                look_seconds=LOOK_SECONDS if look_seconds is None else look_seconds,
            )
            await log.connect()
            shared["log"] = log
        users += 1
        try:
            yield shared["log"]
        finally:
            users -= 1
            if users == 0:
                await shared.pop("log").close()

    return open_log


def kafka_logs(
    bootstrap_servers: str,
    credentials: Callable[[str], tuple[str, str]],
    *,
    mechanism: str = "SCRAM-SHA-512",
    security_protocol: str = "SASL_PLAINTEXT",
    ssl_cafile: Path | None = None,
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
    replication_factor: int | None = None,
    min_insync_replicas: int | None = None,
) -> LogFactory:
    """A Kafka client per instance, as the principal `credentials(instance)` names; over
    SASL_SSL with the CA bundle `ssl_cafile` (and a client certificate, for mutual TLS). The
    topics it creates have the given replication, else the cluster's (sync.topics)."""
    from sync.log.kafka import KafkaClientSettings, KafkaLog

    def open_log(instance: str) -> AbstractAsyncContextManager[ChangeLog]:
        user, password = credentials(instance)
        chosen = KafkaClientSettings(
            bootstrap_servers,
            user,
            password,
            mechanism=mechanism,
            security_protocol=security_protocol,
            client_id=f"mulu-{instance.replace('/', '-')}",
            ssl_cafile=ssl_cafile,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            replication_factor=replication_factor,
            min_insync_replicas=min_insync_replicas,
        )
        return KafkaLog.open(chosen)

    return open_log


def instance_password_env(instance: str) -> str:
    """Where an instance's own Kafka password is looked for:
    ``510100/intranet`` → ``MULU_KAFKA_PASSWORD_510100_INTRANET``."""
    return "MULU_KAFKA_PASSWORD_" + instance.replace("/", "_").upper()


def logs_from_settings(
    settings: Settings, data_dir: Path, *, look_seconds: float | None = None
) -> LogFactory:
    """The embedded log under `data_dir` (another process's appends seen within
    `look_seconds`: `embedded_log`), or Kafka: each instance as its own principal
    (``mulu-510100-intranet``, sync.acls) when its password is in the environment
    (`instance_password_env`), else as the principal of the settings."""
    if settings.log == "embedded":
        return embedded_log(data_dir / "sync-log.db", look_seconds=look_seconds)
    from sync.acls import principal

    def credentials(instance: str) -> tuple[str, str]:
        own = os.environ.get(instance_password_env(instance))
        if own:
            return principal(instance), own
        user, password = settings.kafka.user, settings.kafka.password.get_secret_value()
        if not user or not password:
            raise LogNotAuthenticated(
                f"instance {instance} has no Kafka credentials: set "
                f"{instance_password_env(instance)} (the password of its principal "
                f"{principal(instance)!r}), or kafka.user and kafka.password"
            )
        return user, password

    kafka = settings.kafka
    return kafka_logs(
        kafka.bootstrap_servers,
        credentials,
        mechanism=kafka.mechanism,
        security_protocol=kafka.security_protocol,
        ssl_cafile=kafka.ssl_cafile,
        ssl_certfile=kafka.ssl_certfile,
        ssl_keyfile=kafka.ssl_keyfile,
        replication_factor=kafka.replication_factor,
        min_insync_replicas=kafka.min_insync_replicas,
    )


# -- sync --------------------------------------------------------------------------------------


@asynccontextmanager
async def open_worker(
    store: CatalogStore, log: ChangeLog, links: Sequence[Link], backoff: Backoff = _BACKOFF
) -> AsyncIterator[SyncWorker | None]:
    """The relays and consumers of `links` at `store`, running for the life of the context;
    None when there are no links."""
    if not links:
        yield None
        return
    async with SyncWorker(store, log, links, backoff=backoff) as worker:
        yield worker


async def check_sync(settings: Settings, topology: Topology | None, instance: str) -> None:
    """Before an instance serves: over Kafka, connect once as its principal when it ends a
    link, so that refused credentials or an untrusted broker stop the start in one line
    (`sync.errors.LogError`) rather than inside the server's start-up."""
    if settings.log != "kafka" or topology is None:
        return
    if not (topology.links_from(instance) or topology.links_to(instance)):
        return
    from sync.log.kafka import KafkaLog

    async with logs_from_settings(settings, topology.data_dir)(instance) as log:
        if isinstance(log, KafkaLog):
            await log.check()


@asynccontextmanager
async def open_sync(
    settings: Settings, topology: Topology | None, store: CatalogStore
) -> AsyncIterator[SyncWorker | None]:
    """One instance's relays and consumers, running for the life of the context: the links of
    `topology` that start or end at it, over the embedded log shared by the topology's
    instances on this host (under its `data_dir`), or Kafka as this instance's principal. None
    when there is no topology or it names no link of this instance."""
    if topology is None:
        yield None
        return
    own = store.catalog.id
    links = topology.links_from(own) + topology.links_to(own)
    if not links:
        yield None
        return
    open_log = logs_from_settings(settings, topology.data_dir)
    async with AsyncExitStack() as stack:
        log = await stack.enter_async_context(open_log(own))
        await create_topics(log, topology.links_from(own))
        yield await stack.enter_async_context(open_worker(store, log, links))
