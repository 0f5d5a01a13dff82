"""The instances of a topology in one process: stores, apps, uvicorn servers, sync workers.

`Runtime` opens, in one `AsyncExitStack` and with the pieces of `federation.instance`, the
change log (one embedded `EmbeddedLog` file shared by every instance, or a Kafka client per
instance), each instance's store (embedded, or the Neo4j server its topology entry names), its
`SyncWorker` over the links it is an end of, and its app (`create_app`, over the instance with
that store and worker lent) served by uvicorn on its GraphQL address — over HTTPS with its own
certificate when the topology has TLS (each instance's certificate is checked to name it and
the address it is reached at before anything opens). Leaving the context stops the servers
first, then the workers, the stores and the log. Once everything has started, the process's
garbage collector is tuned for a long run (`federation.garbage.settle_after_start`: once per
process, for ``mulu up``, ``mulu demo`` and every other user of a `Runtime`).

With `only`, the process opens those instances alone — their stores, workers and servers —
as one of the processes a topology runs in (`federation.processes`): each instance runs its
own side of its links (the relays of the links from it, the consumers of those to it), and the
process creates the topics of every link one of its instances ends, so that neither end waits
for the other's process (creating a topic that exists changes nothing, on either log).
`caught_up` then speaks for its own instances.

    async with Runtime(topology) as running:
        await running.caught_up()             # every link relayed and consumed to its end
        await running.stopped.wait()          # set by `stop()` (SIGINT/SIGTERM in `mulu up`)

    Runtime(topology, only={"national/intranet", "national/extranet"})  # the nation alone
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from federation.app import create_app
from federation.garbage import settle_after_start
from federation.identity.tls import (
    HandshakeRefusals,
    check_instance_certificate,
    uvicorn_options,
)
from federation.instance import (
    Instance,
    LogFactory,
    embedded_log,
    lend,
    open_instance,
    open_spec_store,
    open_worker,
)
from federation.server import DateClock, QuietServer
from federation.settings import Settings, TlsSettings
from federation.together import Together
from federation.topology import EmbeddedStoreSpec, InstanceSpec, Topology
from graph import Catalog, CatalogStore
from sync.log.protocol import ChangeLog
from sync.topics import create_topics
from sync.worker import Backoff, SyncWorker

__all__ = ["READY", "Quiet", "RunningInstance", "Runtime", "StoreFactory", "caught_up"]

_log = logging.getLogger("mulu.runtime")

# A link that fails on one host retries soon: its other end is in this process.
_BACKOFF = Backoff(initial=0.2, maximum=5.0)

# (instance, its catalog) → its store, open for the life of the context.
StoreFactory = Callable[[InstanceSpec, Catalog], AbstractAsyncContextManager[CatalogStore]]
# What runs on the open stores before the workers and servers start (the demo's sample load).
PrepareStores = Callable[[Mapping[str, CatalogStore]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RunningInstance:
    """One instance as the runtime opened it."""

    spec: InstanceSpec
    store: CatalogStore
    worker: SyncWorker | None
    server: QuietServer

    @property
    def url(self) -> str:
        """Its GraphQL endpoint (GraphiQL in a browser): https when it serves TLS."""
        return self.spec.url


class Runtime:
    """Every instance of `topology` on this host, in this process.

    `settings` gives what all instances share (peer timeout, identity headers, GraphQL limits,
    log level, trusted proxies); each instance's region, zone, name, address, peers and TLS
    files come from the topology.
    `log` opens each instance's change log (default: one embedded log under the topology's
    `data_dir`). `only`: the instances this process runs (default: every one).
    """

    def __init__(
        self,
        topology: Topology,
        *,
        settings: Settings | None = None,
        log: LogFactory | None = None,
        stores: StoreFactory = open_spec_store,
        prepare: PrepareStores | None = None,
        backoff: Backoff = _BACKOFF,
        progress: Callable[[str], None] | None = None,
        only: Iterable[str] | None = None,
    ) -> None:
        self.topology = topology
        self.only = _chosen(topology, only)
        self._progress = progress or (lambda _: None)  # each step of the start, as it begins
        self._settings = settings or Settings()
        self._log = log or embedded_log(topology.data_dir / "sync-log.db")
        self._stores = stores
        self._prepare = prepare
        self._backoff = backoff
        self.instances: dict[str, RunningInstance] = {}
        self.stopped = asyncio.Event()
        self._stack: AsyncExitStack | None = None
        self._logs: dict[str, ChangeLog] = {}
        self._refusals: dict[str, HandshakeRefusals] = {}  # by instance: for its audit log

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
                "host": spec.graphql.host,
                "port": spec.graphql.port,
                "store": "embedded" if isinstance(spec.store, EmbeddedStoreSpec) else "neo4j",
                "tls": self.tls_of(spec),
            }
        )

    def tls_of(self, spec: InstanceSpec) -> TlsSettings:
        """The instance's TLS: its own certificate and the topology's CA bundle and CRL, when
        the topology has TLS (the shared settings add only the trusted proxies)."""
        shared, tls = self._settings.tls, self.topology.tls
        if tls is None or spec.tls is None:
            return shared
        return shared.model_copy(
            update={"cert": spec.tls.cert, "key": spec.tls.key, "client_ca": tls.ca, "crl": tls.crl}
        )

    def _server_options(self, spec: InstanceSpec) -> dict[str, Any]:
        """What uvicorn serves the instance with; `OSError` naming the instance when one of its
        TLS files cannot be used."""
        try:
            if spec.tls is not None:
                check_instance_certificate(spec.tls.cert, spec.id, spec.peer_host)
            refusals = self._refusals.setdefault(spec.id, HandshakeRefusals())
            return uvicorn_options(self.tls_of(spec), refusals)
        except (OSError, ValueError) as exc:
            raise OSError(f"instance {spec.id} cannot serve TLS: {exc}") from None

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
        settle_after_start()  # what start-up built stays: no full collection traverses it
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        stack, self._stack = self._stack, None
        # Every server is told to stop at once, so that they drain their connections side by
        # side; then each part of every instance is closed side by side (federation.together),
        # the instances still stopping named in the log every few seconds.
        for running in self.instances.values():
            running.server.should_exit = True
        if stack is not None:
            await stack.aclose()

    async def _open(self, stack: AsyncExitStack) -> None:
        specs = [s for s in self.topology.instances.values() if s.id in self.only]
        # Every instance's TLS files first: a bad one stops the start before anything opens.
        options = {spec.id: self._server_options(spec) for spec in specs}
        # Each part of every instance is stopped side by side (federation.together).
        store_group = await stack.enter_async_context(Together("store"))
        stores: dict[str, CatalogStore] = {}
        self._progress(f"opening {len(specs)} stores")
        for spec in specs:
            store = await store_group.enter(spec.id, self._stores(spec, self.catalog_of(spec)))
            await store.put_catalogs([store.catalog])
            stores[spec.id] = store
        for spec in specs:
            self._logs[spec.id] = await stack.enter_async_context(self._log(spec.id))
        self._progress("opening the change log and creating the link topics")
        await self._create_topics()
        if self._prepare is not None:
            await self._prepare(stores)
        self._progress("starting the sync workers")
        workers: dict[str, SyncWorker | None] = {}
        worker_group = await stack.enter_async_context(Together("sync worker", self._working))
        for spec in specs:
            links = self.topology.links_from(spec.id) + self.topology.links_to(spec.id)
            worker = open_worker(stores[spec.id], self._logs[spec.id], links, self._backoff)
            workers[spec.id] = await worker_group.enter(spec.id, worker)
        clock = await stack.enter_async_context(DateClock().running())
        server_group = await stack.enter_async_context(Together("server", self._serving_what))
        for spec in specs:
            app = create_app(
                self.settings_of(spec),
                self._lent(spec, stores, workers),
                handshake_refusals=self._refusals.get(spec.id),
            )
            self._progress(f"starting the server of {spec.id} on {spec.graphql}")
            serving = _serving(app, spec, options[spec.id], clock)
            server = await server_group.enter(spec.id, serving)
            self.instances[spec.id] = RunningInstance(
                spec, stores[spec.id], workers[spec.id], server
            )
        _log.info("topology running", extra={"instances": list(self.instances)})

    def _serving_what(self, instance: str) -> str:
        """What a server still stopping waits for."""
        running = self.instances.get(instance)
        if running is None:
            return "its server is starting"
        open_connections = len(running.server.server_state.connections)
        return f"its server: {open_connections} connections still open, their requests running"

    def _working(self, instance: str) -> str:
        """What a sync worker still stopping waits for."""
        running = self.instances.get(instance)
        if running is None or running.worker is None:
            return "its sync worker is stopping"
        busy = [f"{s.side.value} {s.link}" for s in running.worker.statuses()]
        return f"its sync worker: {', '.join(busy) or 'its audit records'} finishing"

    def _lent(
        self,
        spec: InstanceSpec,
        stores: Mapping[str, CatalogStore],
        workers: Mapping[str, SyncWorker | None],
    ) -> Callable[[], AbstractAsyncContextManager[Instance]]:
        """The opener of one instance over the store and worker the runtime opened (and will
        close): its app's lifespan registers its catalog and opens its peers."""
        settings = self.settings_of(spec)
        store, worker = stores[spec.id], workers[spec.id]
        return lambda: open_instance(
            settings,
            topology=self.topology,
            store=lambda: lend(store),
            sync=lambda _: lend(worker),  # its links in /health and /metrics
        )

    async def _create_topics(self) -> None:
        """The topics of each link one of its instances ends, before any consumer asks for
        them, each with the log of the link's source when it runs here, else its target's."""
        for link in self.topology.links:
            end = link.source if link.source in self._logs else link.target
            if end in self._logs:
                await create_topics(self._logs[end], [link])

    async def caught_up(self, quiet_rounds: int = 2) -> None:
        """Wait until every link end of its instances is relayed and consumed to its end,
        `quiet_rounds` checks in a row (consuming one link may fill the outbox of the next);
        bound it with `asyncio.timeout`."""
        await caught_up([self], quiet_rounds)

    async def quiet(self) -> bool:
        """Whether, now, every relay of its instances has sent its outbox and every consumer
        has read its topic to the end."""
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
        waits: list[asyncio.Future[object]] = [asyncio.ensure_future(self.stopped.wait())]
        waits += [asyncio.ensure_future(r.server.exited()) for r in self.instances.values()]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            for sig in handled:
                loop.remove_signal_handler(sig)


class _NoDelay:
    """Sets TCP_NODELAY on the connection, then goes on as the protocol it is mixed into."""

    def connection_made(self, transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[misc]


P = TypeVar("P", bound=asyncio.Protocol)


def nodelay(protocol: type[P]) -> type[P]:
    """`protocol` (uvicorn's HTTP/1.1, or `federation.identity.tls.TlsH11Protocol`) on
    connections with TCP_NODELAY. asyncio leaves Nagle's algorithm on for accepted
    connections, and uvicorn writes a response's head and body apart: on a kept-alive
    connection the body then waited for the client's delayed ACK, about 40 ms a request."""
    return type(f"NoDelay{protocol.__name__}", (_NoDelay, protocol), {})


NoDelayProtocol = nodelay(H11Protocol)

# Plain HTTP is parsed by httptools (llhttp, in C) where it is installed, as uvicorn's "auto"
# would choose: h11, in Python, cost about a third of a millisecond of CPU per request. TLS
# keeps its own h11 protocol (`TlsH11Protocol`: the client certificate in the scope).
PLAIN_HTTP: type[asyncio.Protocol]
try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    PLAIN_HTTP = HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a dependency
    PLAIN_HTTP = H11Protocol


def http_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """uvicorn's `options` (`federation.identity.tls.uvicorn_options`) with their HTTP
    protocol (`PLAIN_HTTP` unless they name one) on TCP_NODELAY connections."""
    return {**options, "http": nodelay(options.get("http", PLAIN_HTTP))}


@asynccontextmanager
async def _serving(
    app: object, spec: InstanceSpec, options: Mapping[str, Any], clock: DateClock
) -> AsyncIterator[QuietServer]:
    """uvicorn serving `app` on the instance's address with `options` (`uvicorn_options`: TLS)
    until the context ends; its signals are the runtime's, not uvicorn's; it waits rather than
    ticks (`federation.server`)."""
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
        **http_options(options),
    )
    server = QuietServer(config, clock)
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


READY = "mulu up: ready"


class Quiet(Protocol):
    """Something whose links can be asked whether they are quiet now: a `Runtime`, or the
    processes that run the rest of a topology (`federation.processes.Children`)."""

    async def quiet(self) -> bool: ...


async def caught_up(parts: Sequence[Quiet], quiet_rounds: int = 2) -> None:
    """Wait until every one of `parts` is quiet in the same round, `quiet_rounds` rounds in a
    row; bound it with `asyncio.timeout`."""
    quiet = 0
    while quiet < quiet_rounds:
        answers = [await part.quiet() for part in parts]
        quiet = quiet + 1 if all(answers) else 0
        await asyncio.sleep(0.1)


def _chosen(topology: Topology, only: Iterable[str] | None) -> frozenset[str]:
    """The instances a runtime runs: `only`, each one the topology's, else every one."""
    if only is None:
        return frozenset(topology.instances)
    chosen = frozenset(only)
    unknown = sorted(chosen - set(topology.instances))
    if unknown:
        raise ValueError(
            f"the topology has no instance {', '.join(unknown)}; its instances are "
            f"{', '.join(topology.instances)}"
        )
    if not chosen:
        raise ValueError("a runtime runs one instance of the topology at least, not none")
    return chosen
