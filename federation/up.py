"""`mulu up` and `mulu down`: a topology's instances in the foreground or detached (a pid file
under its data_dir), optionally with a Neo4j server of its own for each Neo4j-backed instance.
With the topology's ``[tls]`` every instance serves HTTPS with its own certificate and asks its
peers over HTTPS (federation.runtime); the development headers are then ignored, so nothing is
announced about them.

With ``--processes N`` (N ≥ 2) the instances run in N child processes (`federation.processes`:
how they are grouped, and what parent and children say to each other): `run_processes` is the
parent, `run_up` with `group` a child.

    await run_up(load_topology(Path("topologies/demo.toml")), settings, start_servers=True)
    await run_processes(Path("topologies/national-62.toml"), topology, settings, processes=2)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from federation.dev_identity import warn_dev_identity
from federation.instance import logs_from_settings
from federation.processes import FAST_LOOK_SECONDS, Children, groups, serve_as_child
from federation.runtime import READY, Runtime
from federation.settings import Settings
from federation.together import NOT_STOPPED
from federation.topology import Neo4jStoreSpec, Topology

__all__ = [
    "STARTING",
    "Stopped",
    "neo4j_servers",
    "pid_file",
    "run_processes",
    "run_up",
    "running_pid",
    "stop_detached",
]


@asynccontextmanager
async def neo4j_servers(topology: Topology, data_dir: Path) -> AsyncIterator[list[str]]:
    """A Neo4j server of its own (infra/, on loopback) for each Neo4j-backed instance — Neo4j
    Community holds one user database per server — on the port of the instance's URI, with the
    password its `password_env` names; its home is ``<data_dir>/neo4j-<instance>``, so its data
    survives a restart. Stops them on leaving. Yields the instances it started servers for.
    The passwords were read when the topology was loaded."""
    from urllib.parse import urlsplit

    from infra.neo4j import Neo4jServer

    servers: dict[str, Neo4jServer] = {}
    for spec in topology.instances.values():
        store = spec.store
        if not isinstance(store, Neo4jStoreSpec):
            continue
        where = urlsplit(store.uri)
        if where.hostname not in ("127.0.0.1", "localhost") or where.port is None:
            raise OSError(
                f"instance {spec.id!r}: --start-servers starts Neo4j on loopback only; give its "
                f"store a uri such as 'bolt://127.0.0.1:7687', not {store.uri!r}"
            )
        password = store.password.get_secret_value() if store.password else ""
        if not password:
            raise OSError(
                f"instance {spec.id!r}: set {store.password_env or 'password_env'} to the "
                "password its Neo4j server is to have (8 characters or more)"
            )
        home = data_dir / ("neo4j-" + spec.id.replace("/", "-"))
        servers[spec.id] = Neo4jServer(home, where.port, password)
    try:
        await asyncio.gather(*(asyncio.to_thread(s.start) for s in servers.values()))
        yield list(servers)
    finally:
        await asyncio.gather(*(asyncio.to_thread(s.stop) for s in servers.values()))


async def run_up(
    topology: Topology,
    settings: Settings,
    *,
    start_servers: bool = False,
    echo: Callable[[str], None] = lambda line: print(line, flush=True),
    group: Sequence[str] | None = None,
) -> None:
    """`mulu up` in the foreground: every instance of the topology until SIGINT/SIGTERM;
    with `start_servers`, first a Neo4j server for each Neo4j-backed instance. With `group`,
    those instances alone, as a child of `run_processes` (which warned, and started servers)."""
    data_dir = topology.data_dir
    if group is None:
        _warn_dev_identity(topology, settings)
    async with AsyncExitStack() as stack:
        if start_servers:
            started = await stack.enter_async_context(neo4j_servers(topology, data_dir))
            for instance in started:
                echo(f"  {instance}  its Neo4j server started")
        # In several processes, each hop between two of them is seen on the log file.
        look = None if group is None else FAST_LOOK_SECONDS
        runtime = Runtime(
            topology,
            settings=settings,
            log=logs_from_settings(settings, data_dir, look_seconds=look),
            progress=lambda step: echo(f"{STARTING}{step}"),
            only=group,
        )
        await stack.enter_async_context(runtime)
        for instance, running in runtime.instances.items():
            links = len(running.worker.statuses()) if running.worker else 0
            echo(f"  {instance}  {running.url}  ({links} link ends)")
        echo(f"{READY}: {len(runtime.instances)} instances (pid {os.getpid()})")
        if group is None:
            await runtime.serve_until_stopped()
        else:
            await serve_as_child(runtime)
        echo("mulu up: stopping …")
    echo("mulu up: stopped.")


async def run_processes(
    topology_file: Path,
    topology: Topology,
    settings: Settings,
    processes: int,
    *,
    config: Path | None = None,
    start_servers: bool = False,
    echo: Callable[[str], None] = lambda line: print(line, flush=True),
) -> None:
    """`mulu up --processes N` in the foreground: the topology's instances in `processes`
    child processes (`federation.processes`) until SIGINT/SIGTERM, forwarded to each; a child
    that exits unasked stops the others, `federation.processes.ChildDied` naming it."""
    chosen = groups(topology, processes)
    _warn_dev_identity(topology, settings)
    loop = asyncio.get_running_loop()
    async with AsyncExitStack() as stack:
        if start_servers:
            started = await stack.enter_async_context(neo4j_servers(topology, topology.data_dir))
            for instance in started:
                echo(f"  {instance}  its Neo4j server started")
        sizes = ", ".join(str(len(group)) for group in chosen)
        echo(f"{STARTING}{len(topology.instances)} instances in {len(chosen)} processes ({sizes})")
        # Installed before the children start and removed after they have stopped: a signal
        # meanwhile is forwarded, never the end of the parent alone.
        running: list[Children] = []
        asked = asyncio.Event()

        def stop() -> None:
            asked.set()
            for children in running:
                children.stop()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
            stack.callback(loop.remove_signal_handler, sig)
        children = await stack.enter_async_context(
            Children(topology_file, chosen, config=config, echo=echo)
        )
        running.append(children)
        if asked.is_set():
            children.stop()
        await children.wait_ready()
        if not children.stopping:
            pids = ", ".join(str(c.process.pid) for c in children.children)
            echo(
                f"{READY}: {len(topology.instances)} instances in {len(chosen)} processes "
                f"(pid {os.getpid()}; its children {pids})"
            )
            await children.watch()
        echo("mulu up: stopping …")
    echo("mulu up: stopped.")


def _warn_dev_identity(topology: Topology, settings: Settings) -> None:
    # With TLS (or behind a trusted proxy) the development headers are ignored.
    if settings.dev_identity_header and topology.tls is None and not settings.tls.identifies:
        warn_dev_identity(
            {i: (s.graphql.host, s.graphql.port) for i, s in topology.instances.items()}
        )


# Starts each line that says which step of the start `mulu up` is at (`mulu up --detach`
# quotes the last one when the start takes longer than it waits).
STARTING = "mulu up: starting: "


def pid_file(topology: Topology) -> Path:
    """Where a detached `mulu up` of the topology writes its pid."""
    return topology.data_dir / "mulu-up.pid"


def running_pid(path: Path) -> int | None:
    """The pid in `path` when that process is alive, else None."""
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@dataclass(frozen=True, slots=True)
class Stopped:
    """How a detached `mulu up` ended: its pid, the seconds it took, and — when it did not
    end within the time it was given and was killed — the last lines of its log."""

    pid: int
    seconds: float
    killed: bool = False
    last_words: str = ""
    # The instances still stopping when it was killed, and what each waited for (from its
    # log's last `federation.together.NOT_STOPPED` records, by part: server, sync worker…).
    not_stopped: dict[str, str] = field(default_factory=dict)


def stop_detached(path: Path, wait_seconds: float = 60.0) -> Stopped | None:
    """SIGTERM the process of pid file `path`, wait for it to end (SIGKILL after
    `wait_seconds`), remove the file; how it stopped, or None when none was running."""
    pid = running_pid(path)
    if pid is None:
        path.unlink(missing_ok=True)
        return None
    began = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    deadline = began + wait_seconds
    while running_pid(path) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    killed = running_pid(path) is not None
    last_words = ""
    not_stopped: dict[str, str] = {}
    if killed:
        last_words = _tail(path.with_suffix(".log"), 10)
        not_stopped = _not_stopped(_tail(path.with_suffix(".log"), 400))
        os.kill(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return Stopped(pid, time.monotonic() - began, killed, last_words, not_stopped)


def _not_stopped(lines: str) -> dict[str, str]:
    """Instance → what it waited for, from the last report of each part in JSON log `lines`
    (the part reported last is the one that was stopping)."""
    found: dict[str, str] = {}
    for line in lines.splitlines():
        if NOT_STOPPED not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        slow = record.get("not_stopped")
        if str(record.get("message", "")).startswith(NOT_STOPPED) and isinstance(slow, dict):
            found = {str(k): str(v) for k, v in slow.items()}
    return found


def _tail(path: Path, lines: int) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as exc:
        return f"({path}: {exc.strerror})"
    return "\n".join(text.splitlines()[-lines:])
