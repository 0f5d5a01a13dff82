"""A topology's instances in several processes: ``mulu up --processes N`` and the demo's.

One process runs Python on one core at a time, and its instances share one event loop: a
search at the nation waits behind every link's apply. With N processes the parent splits the
instances into N groups (`groups`) and runs each group in a child process — the same ``mulu up``
started again with a hidden ``--group`` naming its instances (a clean interpreter, no fork of a
running event loop) — which opens those instances alone (`federation.runtime.Runtime` with
``only``) on the shared stores and log.

The grouping rule, deterministic: the instances in the topology's order; with N = 1 one group
of all; with N ≥ 2 the nation's instances (level NATIONAL) make a group of their own, so that
the national API is not stalled by the provinces' and cities' sync, and the other instances
are cut, in order, into N − 1 runs of sizes that differ by one at most (the larger first) — a
province beside its cities where the file lists them so. A topology without the nation, or
with nothing else, is cut into N such runs. N is 1 to four a core, and at most one process per
instance (`check_processes`).

Every hop between two processes is an append to the embedded log by one and a read by the
other: each child looks at the log file every `FAST_LOOK_SECONDS` (`graph.embedded.changes`)
rather than every second; a `stat` of two files, nothing read while idle.

Between parent and child, two pipes and the child's stderr:

- the child's stdout: what ``mulu up`` prints (the steps of its start, its instances, its ready
  line), read by the parent, and its answers, one line each starting with `CONTROL` and a JSON
  object (``{"quiet": true, "applied": 6680, "held_back": 863}``);
- the child's stdin: the parent's questions, one a line (``quiet``: are its links quiet now,
  and its copies applied and entries held back so far). Its end is the parent's death: at EOF
  the child stops, as on SIGTERM;
- the child's stderr: JSON log lines, written by the parent to its own log (one file, however
  many processes), anything else to the parent's stderr.

The parent forwards SIGINT and SIGTERM to its children once (each runs in its own process
group, so a terminal's Ctrl-C reaches the parent alone) and waits for them; a child that exits
unasked makes it stop the others and end with one line naming that child's instances and exit
code (`ChildDied`).

    async with Children(Path("topologies/national-62.toml"), groups(topology, 2)) as children:
        await children.wait_ready()
        await caught_up([children])
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from federation.logging import relay_json_line
from federation.runtime import READY, Runtime
from federation.topology import Topology
from graph import Level

__all__ = [
    "CONTROL",
    "FAST_LOOK_SECONDS",
    "ChildDied",
    "Children",
    "check_processes",
    "groups",
    "serve_as_child",
]

_log = logging.getLogger("mulu.processes")

# How often a process of a topology run in several looks at the shared log file for another
# process's appends: a hop between two processes waits at most this long for its wake-up.
FAST_LOOK_SECONDS = 0.05

# Starts each answer of a child on its stdout.
CONTROL = "mulu-child: "

# How long the parent waits, once it has asked its children to stop, before it kills them.
STOP_SECONDS = 60.0


def groups(topology: Topology, processes: int) -> list[tuple[str, ...]]:
    """The instances of each process, by the rule of the module docstring."""
    check_processes(processes, topology)
    ids = list(topology.instances)
    if processes == 1:
        return [tuple(ids)]
    nation = [i for i in ids if topology.instances[i].level is Level.NATIONAL]
    rest = [i for i in ids if i not in nation]
    if nation and rest:
        return [tuple(nation), *_runs(rest, processes - 1)]
    return _runs(ids, processes)


def _runs(ids: Sequence[str], count: int) -> list[tuple[str, ...]]:
    size, larger = divmod(len(ids), count)
    found, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < larger else 0)
        found.append(tuple(ids[start:end]))
        start = end
    return found


def check_processes(processes: int, topology: Topology, cores: int | None = None) -> None:
    """ValueError naming ``--processes`` and what it accepts, unless `processes` is 1 to four a
    core (`cores`, this machine's by default) and no more than the groups the topology makes."""
    cores = cores or os.cpu_count() or 1
    ids = list(topology.instances)
    nation = sum(topology.instances[i].level is Level.NATIONAL for i in ids)
    most = min(cores * 4, len(ids) - nation + 1 if 0 < nation < len(ids) else len(ids))
    if not 1 <= processes <= most:
        raise ValueError(
            f"--processes {processes}: give 1 to {most} (at most four a core on this "
            f"machine's {cores}, and one process for the nation's {nation} instances and one "
            f"per other instance of the topology's {len(ids)})"
        )


class ChildDied(Exception):
    """A child process exited unasked (or failed to stop): its instances, pid and exit code,
    and the last line it said about itself."""

    def __init__(self, instances: Sequence[str], pid: int, code: int, reason: str = "") -> None:
        self.instances = tuple(instances)
        self.pid = pid
        self.code = code
        self.reason = reason
        killed = f" (killed by {signal.Signals(-code).name})" if code < 0 else ""
        because = f": {reason}" if reason else ""
        super().__init__(
            f"the process of {', '.join(instances)} (pid {pid}) exited with code "
            f"{code}{killed}{because}; the other processes were stopped"
        )


@dataclass(eq=False)
class _Child:
    """One child: its instances, its process, what it said."""

    instances: tuple[str, ...]
    process: asyncio.subprocess.Process
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    reason: str = ""  # its last "mulu up: …" line on stderr
    applied: int = 0
    held_back: int = 0
    answers: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    asking: asyncio.Lock = field(default_factory=asyncio.Lock)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    signalled: bool = False


class Children:
    """The child processes that run `groups` of the topology in file `topology_file`, started
    on entering, stopped (SIGTERM, SIGKILL after `STOP_SECONDS`) on leaving. `echo` takes the
    lines they print (the steps of their start, their instances); `config` is passed on, and
    `environment` replaces this process's environment in theirs."""

    def __init__(
        self,
        topology_file: Path,
        groups: Sequence[Sequence[str]],
        *,
        config: Path | None = None,
        echo: Callable[[str], None] = lambda line: print(line, flush=True),
        environment: Mapping[str, str] | None = None,
    ) -> None:
        self._topology_file = topology_file
        self._environment = environment  # the children's (default: this process's)
        self._groups = [tuple(g) for g in groups]
        self._config = config
        self._echo = echo
        self.children: list[_Child] = []
        self.stopping = False
        self._stop_asked = asyncio.Event()

    async def __aenter__(self) -> Children:
        try:
            for group in self._groups:
                await self._start(group)
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._close(raising=exc_info[0] is None)

    async def _start(self, group: tuple[str, ...]) -> None:
        command = [sys.executable, "-c", "from federation.cli import app; app()", "up"]
        command += [str(self._topology_file), "--group", ",".join(group)]
        if self._config is not None:
            command += ["--config", str(self._config)]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            process_group=0,  # a terminal's Ctrl-C reaches the parent, which forwards it once
            env=None if self._environment is None else dict(self._environment),
            limit=1 << 20,
        )
        child = _Child(group, process)
        child.readers = [
            asyncio.create_task(self._read_out(child), name=f"mulu child out {process.pid}"),
            asyncio.create_task(self._read_err(child), name=f"mulu child err {process.pid}"),
        ]
        self.children.append(child)

    async def _read_out(self, child: _Child) -> None:
        assert child.process.stdout is not None
        async for raw in child.process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith(CONTROL):
                try:
                    child.answers.put_nowait(json.loads(line.removeprefix(CONTROL)))
                except ValueError:  # not an answer after all: the parent waits on
                    _log.warning("a child's answer is not JSON", extra={"line": line[:200]})
            elif line.startswith(READY):
                child.ready.set()
            elif not line.startswith(("mulu up: stopping", "mulu up: stopped")):
                self._echo(line)

    async def _read_err(self, child: _Child) -> None:
        assert child.process.stderr is not None
        async for raw in child.process.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if line.startswith("{") and relay_json_line(line):
                continue
            if line.startswith("mulu up: "):
                child.reason = line.removeprefix("mulu up: ")
            print(line, file=sys.stderr, flush=True)

    def stop(self) -> None:
        """Ask every child to stop (SIGTERM, once each); harmless when asked again."""
        self.stopping = True
        self._stop_asked.set()
        for child in self.children:
            if child.process.returncode is None and not child.signalled:
                child.signalled = True
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signal.SIGTERM)

    async def wait_ready(self) -> None:
        """Return once every child is ready, or `stop()` was called; `ChildDied` when one
        exits first."""
        while not self.stopping and not all(c.ready.is_set() for c in self.children):
            waiting = [c.ready.wait() for c in self.children if not c.ready.is_set()]
            exits = [c.process.wait() for c in self.children]
            await _first_of(self._stop_asked.wait(), *waiting, *exits)
            self._check_alive()

    async def watch(self) -> None:
        """Return once `stop()` was called; `ChildDied` when a child exits before."""
        await _first_of(self._stop_asked.wait(), *(c.process.wait() for c in self.children))
        self._check_alive()

    def _check_alive(self) -> None:
        if self.stopping:
            return
        for child in self.children:
            code = child.process.returncode
            if code is not None:
                raise ChildDied(child.instances, child.process.pid, code, child.reason)

    async def quiet(self) -> bool:
        """Whether every child's links are quiet now (`federation.runtime.caught_up`); each
        child's copies applied and entries held back are updated as it answers."""
        answers = await asyncio.gather(*(self._ask(c) for c in self.children))
        return all(answers)

    async def _ask(self, child: _Child) -> bool:
        async with child.asking:
            self._check_alive()
            assert child.process.stdin is not None
            try:
                child.process.stdin.write(b"quiet\n")
                await child.process.stdin.drain()
            except (BrokenPipeError, ConnectionResetError):  # it has just exited
                await child.process.wait()
                self._check_alive()
                return False
            getting = asyncio.ensure_future(child.answers.get())
            exiting = asyncio.ensure_future(child.process.wait())
            try:
                await asyncio.wait([getting, exiting], return_when=asyncio.FIRST_COMPLETED)
            finally:
                exiting.cancel()
                if not getting.done():
                    getting.cancel()
            if getting.cancelled():  # it exited without answering
                self._check_alive()
                return False
            answer = getting.result()
        child.applied = int(answer.get("applied", 0))
        child.held_back = int(answer.get("held_back", 0))
        return bool(answer.get("quiet"))

    @property
    def applied(self) -> int:
        """Copies applied by every child's consumers, as they last answered."""
        return sum(c.applied for c in self.children)

    @property
    def held_back(self) -> int:
        """Entries every child's relays held back (refused), as they last answered."""
        return sum(c.held_back for c in self.children)

    async def _close(self, raising: bool = False) -> None:
        """Stop every child and wait for it (SIGKILL after `STOP_SECONDS`); with `raising`,
        `ChildDied` for one that did not stop cleanly."""
        asked = self.stopping
        self.stop()
        for child in self.children:
            if child.process.stdin is not None:
                child.process.stdin.close()
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await asyncio.gather(*(c.process.wait() for c in self.children))
        except TimeoutError:
            for child in self.children:
                if child.process.returncode is None:
                    _log.error(
                        "a child process did not stop in time: killed",
                        extra={"pid": child.process.pid, "instances": list(child.instances)},
                    )
                    with contextlib.suppress(ProcessLookupError):
                        child.process.kill()
            await asyncio.gather(*(c.process.wait() for c in self.children))
        for child in self.children:
            await asyncio.gather(*child.readers, return_exceptions=True)
        if not raising or not asked:
            return
        for child in self.children:
            code = child.process.returncode
            # SIGTERM before its runtime had started (its handlers not yet set) is a stop too.
            if code not in (0, -signal.SIGTERM, None):
                raise ChildDied(child.instances, child.process.pid, code, child.reason)


async def _first_of(*waits: Awaitable[object]) -> None:
    """Wait until the first of `waits` is done; the others are cancelled."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def serve_as_child(runtime: Runtime) -> None:
    """The child's side (`mulu up --group`): answer the parent's questions on stdin until
    SIGINT/SIGTERM, or until stdin ends — the parent died."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )

    async def answer() -> None:
        while line := await reader.readline():
            if line.strip() == b"quiet":
                quiet = await runtime.quiet()
                statuses = [
                    s for r in runtime.instances.values() if r.worker for s in r.worker.statuses()
                ]
                said = {
                    "quiet": quiet,
                    "applied": sum(s.applied for s in statuses),
                    "held_back": sum(s.refused for s in statuses if s.side.value == "relay"),
                }
                print(CONTROL + json.dumps(said), flush=True)
        runtime.stop()  # the parent is gone

    answering = asyncio.create_task(answer(), name="mulu child answers")
    try:
        await runtime.serve_until_stopped()
    finally:
        answering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await answering
        transport.close()
