"""What a Neo4j and a Kafka server have in common: fetch, start, stop, status.

`JavaServer` owns the life cycle; a subclass says how to prepare its home (config files,
formatting), which JVM to run, and how to tell that the server is ready (a real client
request, never a sleep). Starts of one home are serialised with a file lock, so two processes
starting the same server end up sharing one JVM.
"""

from __future__ import annotations

import asyncio
import fcntl
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Generic, TypeVar

from infra.errors import ServerStartError
from infra.jvm.fetch import classpath, fetch, is_fetched
from infra.jvm.java import java_env, java_executable
from infra.jvm.process import INSTANCE_PROPERTY, JavaProcess
from infra.net import listener_pid, port_answers
from infra.versions import ServerArtifacts

__all__ = ["JavaServer", "ServerStatus", "validate_size"]

C = TypeVar("C")

_SIZE = re.compile(r"^[1-9][0-9]*[kKmMgG]?$")


def validate_size(name: str, value: str) -> str:
    """`value` if it is a JVM-style memory size such as ``512m`` or ``2g``."""
    if not isinstance(value, str) or not _SIZE.match(value):
        raise ValueError(f"{name}={value!r} is not a memory size; give e.g. '256m', '512m' or '1g'")
    return value


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """A snapshot of one server instance."""

    name: str
    version: str
    home: Path
    pid: int | None
    ports: Mapping[str, int]
    answering: bool
    fetched: bool
    # Ports of this server's configuration held by a process that is not this home's server:
    # role -> who (its pid, and the home of a server infra started elsewhere).
    taken: Mapping[str, str] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        """True while the JVM named by the pid file is alive."""
        return self.pid is not None

    def describe(self) -> str:
        ports = ", ".join(f"{name} 127.0.0.1:{port}" for name, port in self.ports.items())
        if self.pid is None:
            state = "stopped"
        elif self.answering:
            state = f"running (pid {self.pid})"
        else:
            state = f"starting or stuck (pid {self.pid}, port not answering)"
        text = f"{self.name} {self.version}: {state}; {ports}; home {self.home}"
        for role, who in self.taken.items():
            text += f"\n  but {role} port 127.0.0.1:{self.ports[role]} is in use by {who}"
        return text


class JavaServer(ABC, Generic[C]):
    """One server instance: a home directory, its ports, and the JVM running there."""

    artifacts: ClassVar[ServerArtifacts]
    main_class: ClassVar[str]

    def __init__(
        self,
        home: Path,
        *,
        cache: Path | None,
        start_timeout: float,
        stop_timeout: float,
        owner_pid: int | None = None,
    ) -> None:
        if start_timeout <= 0 or stop_timeout <= 0:
            raise ValueError(
                f"start_timeout={start_timeout!r}, stop_timeout={stop_timeout!r}: "
                "both must be positive numbers of seconds"
            )
        self.home = Path(home).expanduser().absolute()
        self.cache = cache
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.owner_pid = owner_pid
        self.process = JavaProcess(
            self.home,
            pid_file=self.home / "run" / f"{self.artifacts.name}.pid",
            console_log=self.home / "logs" / "console.log",
        )

    # -- what a subclass provides ---------------------------------------------------------

    @property
    @abstractmethod
    def ports(self) -> Mapping[str, int]:
        """The loopback ports this instance listens on, by role; the first one is primary."""

    @property
    @abstractmethod
    def connection(self) -> C:
        """How a client reaches this server."""

    @property
    def server_logs(self) -> list[Path]:
        """Logs besides the console log whose tail explains a failed start."""
        return []

    @abstractmethod
    def _prepare(self) -> None:
        """Write the configuration and initialise the home before a JVM is spawned."""

    @abstractmethod
    def _jvm_options(self) -> list[str]:
        """JVM options (heap, GC, add-opens, system properties)."""

    @abstractmethod
    def _arguments(self) -> list[str]:
        """Arguments after the main class."""

    @abstractmethod
    def _probe(self) -> C | None:
        """One readiness attempt: a real client request.

        Return the connection when it succeeds, None or raise when not yet; raise
        `ServerStartError` when waiting longer cannot help (e.g. the password is refused).
        """

    # -- life cycle -----------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"{self.artifacts.name} {self.artifacts.version} at {self.home}"

    def fetch(self, *, maven_repo: Path | None = None, force: bool = False) -> Path:
        """Download the server's jars into the cache unless they are there; return lib dir."""
        return fetch(self.artifacts, cache=self.cache, maven_repo=maven_repo, force=force)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.home / "run" / "start.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start(self) -> C:
        """Start the server and wait until it serves; return how to connect.

        Harmless when this instance already runs (it only waits until it answers). Raises
        `ServerStartError`, with the tail of the logs, when the JVM exits or is not ready
        within `start_timeout`; a JVM this call started is killed before the error is raised.
        """
        pid, launched = self.launch()
        try:
            return self._wait(pid)
        except BaseException:
            if launched:
                self.process.kill(pid)
            raise

    def launch(self) -> tuple[int, bool]:
        """Spawn the JVM unless this instance already runs; return its pid and whether this
        call spawned it, without waiting until it serves (`start` waits; a cluster launches
        every node before waiting, since none serves before its quorum does)."""
        with self._locked():
            running = self.process.state().pid
            if running is not None:
                return running, False
            for role, port in self.ports.items():
                if port_answers(port):
                    raise ServerStartError(
                        f"{self.artifacts.name} {role} port {port} on 127.0.0.1 is already in "
                        f"use by another process; stop it or choose a free port"
                    )
            self.fetch()
            self._prepare()
            pid = self.process.spawn(
                java_executable(),
                self._jvm_options(),
                self.main_class,
                self._arguments(),
                classpath=classpath(self.artifacts, self.cache),
                env=java_env(),
                owner_pid=self.owner_pid,
            )
            return pid, True

    def wait_ready(self, pid: int) -> C:
        """Wait until the JVM `pid` (from `launch`) serves; `ServerStartError` if it exits or
        is not ready within `start_timeout`."""
        return self._wait(pid)

    def _wait(self, pid: int) -> C:
        return self.process.wait_ready(
            pid,
            self._probe,
            timeout=self.start_timeout,
            what=self.label,
            logs=self.server_logs,
        )

    def stop(self) -> bool:
        """Stop the server (SIGTERM, SIGKILL after `stop_timeout`); False if none ran."""
        with self._locked():
            return self.process.stop(timeout=self.stop_timeout)

    def configured_ports(self) -> Mapping[str, int] | None:
        """The ports the configuration in this home names (what a running server was started
        with, whatever this object was given); None when there is none to read."""
        return None

    def status(self) -> ServerStatus:
        """Whether this home's server runs, on which ports (its configuration's, when it
        runs), whether its primary port answers, and which of its ports another process holds
        (a server started elsewhere, or anything else)."""
        pid = self.process.state().pid
        ports = dict((self.configured_ports() if pid is not None else None) or self.ports)
        primary = next(iter(ports.values()))
        taken = {}
        for role, port in ports.items():
            holder = listener_pid(port)
            if holder is not None and holder != pid:
                taken[role] = self._who(holder)
        return ServerStatus(
            name=self.artifacts.name,
            version=self.artifacts.version,
            home=self.home,
            pid=pid,
            ports=ports,
            answering=pid is not None and port_answers(primary),
            fetched=is_fetched(self.artifacts, self.cache),
            taken=taken,
        )

    @staticmethod
    def _who(pid: int) -> str:
        """A process, as status shows it: its pid, and the home of an infra server."""
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return f"pid {pid}"
        words = [part.decode("utf-8", errors="replace") for part in raw if part]
        mark = f"-D{INSTANCE_PROPERTY}="
        home = next((w.removeprefix(mark) for w in words if w.startswith(mark)), None)
        if home is not None:
            return f"pid {pid}, a server infra started with home {home}"
        return f"pid {pid} ({' '.join(words)[:80]})"

    def log_tail(self, lines: int = 40) -> str:
        """The tails of this server's logs."""
        return self.process.log_tail(self.server_logs, lines)

    # -- context managers -----------------------------------------------------------------

    def __enter__(self) -> C:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> C:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        ports = ", ".join(f"{k}={v}" for k, v in self.ports.items())
        return f"{type(self).__name__}(home={str(self.home)!r}, {ports})"
