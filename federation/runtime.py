"""Every instance of a topology in one process: stores, apps, uvicorn servers, sync workers.

`Runtime` opens, in one `AsyncExitStack`, the change log (one embedded `EmbeddedLog` file
shared by every instance, or a Kafka client per instance), each instance's store (embedded, or
the Neo4j server its topology entry names), its `SyncWorker` over the links it is an end of,
and its app (`create_app`) served by uvicorn on its GraphQL address. Leaving the context stops
the servers first, then the workers, the stores and the log.

    async with Runtime(topology, topology_file=path) as running:
        await running.caught_up()             # every link relayed and consumed to its end
        await running.stopped.wait()          # set by `stop()` (SIGINT/SIGTERM in `mulu up`)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from federation.app import create_app
from federation.settings import Settings
from federation.topology import (
    EmbeddedStoreSpec,
    InstanceSpec,
    Topology,
    TopologyError,
)
from graph import Catalog, CatalogStore
from sync.errors import LogNotPermitted
from sync.log.embedded import EmbeddedLog
from sync.log.protocol import ChangeLog
from sync.worker import Backoff, SyncWorker

__all__ = [
    "READY",
    "LogFactory",
    "RunningInstance",
    "Runtime",
    "StoreFactory",
    "embedded_log",
    "instance_password_env",
    "kafka_logs",
    "logs_from_settings",
    "topology_data_dir",
]

_log = logging.getLogger("mulu.runtime")

# A link that fails on one host retries soon: its other end is in this process.
_BACKOFF = Backoff(initial=0.2, maximum=5.0)

# instance id → the change log its sync worker uses, open for the life of the context.
LogFactory = Callable[[str], AbstractAsyncContextManager[ChangeLog]]
# (instance, its catalog) → its store, open for the life of the context.
StoreFactory = Callable[[InstanceSpec, Catalog], AbstractAsyncContextManager[CatalogStore]]
# What runs on the open stores before the workers and servers start (the demo's sample load).
Prepare = Callable[[Mapping[str, CatalogStore]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RunningInstance:
    """One instance as the runtime opened it."""

    spec: InstanceSpec
    store: CatalogStore
    worker: SyncWorker | None
    server: uvicorn.Server

    @property
    def url(self) -> str:
        """Its GraphQL endpoint (GraphiQL in a browser)."""
        return self.spec.graphql.url


def topology_data_dir(path: Path) -> Path:
    """The ``data_dir`` of the topology file at `path` (``var`` when it names none), where
    `mulu up` keeps the shared log, the pid file and the log of a detached run."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TopologyError(f"cannot read topology file {str(path)!r}: {exc}") from None
    return Path(document.get("data_dir", "var"))


def embedded_log(path: Path) -> LogFactory:
    """Every instance on one `EmbeddedLog` file: opened by the first instance that asks and
    closed with the runtime (the factory is called inside the runtime's stack)."""
    shared: dict[str, EmbeddedLog] = {}
    users = 0

    @asynccontextmanager
    async def open_log(instance: str) -> AsyncIterator[ChangeLog]:
        nonlocal users
        if not shared:
            path.parent.mkdir(parents=True, exist_ok=True)
            log = EmbeddedLog(path)
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
) -> LogFactory:
    """A Kafka client per instance, as the principal `credentials(instance)` names."""
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
        )
        return KafkaLog.open(chosen)

    return open_log


@asynccontextmanager
async def open_instance_store(spec: InstanceSpec, catalog: Catalog) -> AsyncIterator[CatalogStore]:
    """The store `spec` names: its embedded file, or its Neo4j server (the password read
    from the environment variable the topology names)."""
    if isinstance(spec.store, EmbeddedStoreSpec):
        from graph.embedded import EmbeddedStore

        spec.store.path.parent.mkdir(parents=True, exist_ok=True)
        async with EmbeddedStore.open(spec.store.path, catalog) as embedded:
            yield embedded
        return
    from graph.neo4j import Neo4jStore

    password = os.environ.get(spec.store.password_env, "") if spec.store.password_env else ""
    async with Neo4jStore.open(
        spec.store.uri,
        (spec.store.user, password),
        catalog=catalog,
        database=spec.store.database,
    ) as neo4j:
        yield neo4j


@asynccontextmanager
async def _borrowed(store: CatalogStore) -> AsyncIterator[CatalogStore]:
    """The runtime's open store, lent to an app: the app's lifespan does not close it."""
    yield store


class Runtime:
    """Every instance of `topology` on this host, in this process.

    `topology_file` is the file the topology was read from: each app reads its peers from it.
    `settings` gives what all instances share (peer timeout, identity headers, GraphQL limits,
    log level); each instance's region, zone, name and address come from the topology.
    """

    def __init__(
        self,
        topology: Topology,
        *,
        topology_file: Path,
        settings: Settings | None = None,
        log: LogFactory | None = None,
        stores: StoreFactory = open_instance_store,
        prepare: Prepare | None = None,
        backoff: Backoff = _BACKOFF,
    ) -> None:
        self.topology = topology
        self._file = topology_file
        self._settings = settings or Settings()
        self._log = log or embedded_log(topology_data_dir(topology_file) / "sync-log.db")
        self._stores = stores
        self._prepare = prepare
        self._backoff = backoff
        self.instances: dict[str, RunningInstance] = {}
        self.stopped = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._logs: dict[str, ChangeLog] = {}

    def stop(self) -> None:
        """Ask the run to end: `stopped` is set (signal handlers call this)."""
        self.stopped.set()

    def settings_of(self, spec: InstanceSpec) -> Settings:
        """The settings one instance's app runs with."""
        return self._settings.model_copy(
            update={
                "instance": spec.id,
                "region_code": spec.region_code,
                "zone": spec.zone,
                "catalog_name": spec.name,
                "topology": self._file,
                "host": spec.graphql.host,
                "port": spec.graphql.port,
                "store": "embedded" if isinstance(spec.store, EmbeddedStoreSpec) else "neo4j",
            }
        )

    def catalog_of(self, spec: InstanceSpec) -> Catalog:
        """The instance's catalog: the one above it is its parent's in the topology, else the
        one its region reports to."""
        parent = self.topology.parent_of(spec.id)
        above = parent.id if parent else self.settings_of(spec).catalog().parent_id
        return Catalog(spec.region_code, spec.zone, spec.name, above)

    async def __aenter__(self) -> Runtime:
        if self._stack is not None:
            raise RuntimeError("this Runtime is already running")
        stack = AsyncExitStack()
        await stack.__aenter__()
        self._stack = stack
        try:
            await self._open(stack)
        except BaseException:
            self._stack = None
            await stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.aclose()

    async def _open(self, stack: AsyncExitStack) -> None:
        specs = list(self.topology.instances.values())
        stores: dict[str, CatalogStore] = {}
        for spec in specs:
            store = await stack.enter_async_context(self._stores(spec, self.catalog_of(spec)))
            await store.put_catalogs([store.catalog])
            stores[spec.id] = store
        for spec in specs:
            self._logs[spec.id] = await stack.enter_async_context(self._log(spec.id))
        await self._create_topics()
        if self._prepare is not None:
            await self._prepare(stores)
        workers: dict[str, SyncWorker | None] = {}
        for spec in specs:
            links = self.topology.links_from(spec.id) + self.topology.links_to(spec.id)
            if not links:
                workers[spec.id] = None
                continue
            worker = SyncWorker(stores[spec.id], self._logs[spec.id], links, backoff=self._backoff)
            workers[spec.id] = await stack.enter_async_context(worker)
        for spec in specs:
            app = create_app(
                self.settings_of(spec),
                store=_bound(stores[spec.id]),
                sync_worker=workers[spec.id],  # its links in /health and /metrics
            )
            server = await stack.enter_async_context(_serving(app, spec))
            self.instances[spec.id] = RunningInstance(
                spec, stores[spec.id], workers[spec.id], server
            )
        _log.info("topology running", extra={"instances": list(self.instances)})

    async def _create_topics(self) -> None:
        """Each link's topics, before any consumer asks for them (a consumer of a missing
        topic waits its longest backoff); a principal not permitted to create them leaves it
        to the administrator who provisioned them (sync.acls)."""
        for link in self.topology.links:
            log = self._logs[link.source]
            for topic in link.topics:
                with contextlib.suppress(LogNotPermitted):
                    await log.create_topic(topic)

    async def caught_up(self, quiet_rounds: int = 2) -> None:
        """Wait until every link is relayed and consumed to its end, `quiet_rounds` checks in a
        row (consuming one link may fill the outbox of the next); bound it with
        `asyncio.timeout`."""
        quiet = 0
        while quiet < quiet_rounds:
            quiet = quiet + 1 if await self._quiet() else 0
            await asyncio.sleep(0.1)

    async def _quiet(self) -> bool:
        for running in self.instances.values():
            if running.worker is None:
                continue
            for relay in running.worker.relays:
                position = await running.store.outbox_position(relay.link.id)
                if await running.store.outbox_after(position, 1):
                    return False
            log = self._logs[running.spec.id]
            for consumer in running.worker.consumers:
                end = await log.end_offset(consumer.topic)
                if end and (consumer.status.position or 0) < end:
                    return False
        return True

    async def serve_until_stopped(self) -> None:
        """Wait for `stop()`, SIGINT or SIGTERM (or a server that stopped by itself)."""
        loop = asyncio.get_running_loop()
        handled = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
                handled.append(sig)
        try:
            while not self.stopped.is_set():
                if any(r.server.should_exit for r in self.instances.values()):
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopped.wait(), 0.5)
        finally:
            for sig in handled:
                loop.remove_signal_handler(sig)


def _bound(store: CatalogStore) -> Callable[[], AbstractAsyncContextManager[CatalogStore]]:
    return lambda: _borrowed(store)


@asynccontextmanager
async def _serving(app: object, spec: InstanceSpec) -> AsyncIterator[uvicorn.Server]:
    """uvicorn serving `app` on the instance's address until the context ends; its signals are
    the runtime's, not uvicorn's."""
    # The socket is bound here, so a port in use is an OSError that names the instance
    # (uvicorn itself would call sys.exit in the middle of the event loop).
    family = socket.AF_INET6 if ":" in spec.graphql.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((spec.graphql.host, spec.graphql.port))
    except OSError as exc:
        sock.close()
        raise OSError(
            f"instance {spec.id} cannot serve GraphQL on {spec.graphql}: {exc.strerror}; "
            "free the port or give the instance another one in the topology"
        ) from None
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"mulu-serve {spec.id}")
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"instance {spec.id} stopped while starting; see its log")
            await asyncio.sleep(0.01)
        yield server
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


# -- `mulu up` / `mulu down` ---------------------------------------------------------------


def instance_password_env(instance: str) -> str:
    """Where `mulu up` looks for an instance's own Kafka password:
    ``510100/intranet`` → ``MULU_KAFKA_PASSWORD_510100_INTRANET``."""
    return "MULU_KAFKA_PASSWORD_" + instance.replace("/", "_").upper()


def logs_from_settings(settings: Settings, data_dir: Path) -> LogFactory:
    """The embedded log under `data_dir`, or Kafka: each instance as its own principal
    (``mulu-510100-intranet``, sync.acls) when its password is in the environment
    (`instance_password_env`), else as the principal of the settings."""
    if settings.log == "embedded":
        return embedded_log(data_dir / "sync-log.db")
    from sync.acls import principal

    def credentials(instance: str) -> tuple[str, str]:
        own = os.environ.get(instance_password_env(instance))
        if own:
            return principal(instance), own
        return settings.kafka.user, settings.kafka.password.get_secret_value()

    return kafka_logs(
        settings.kafka.bootstrap_servers, credentials, mechanism=settings.kafka.mechanism
    )


READY = "mulu up: ready"
