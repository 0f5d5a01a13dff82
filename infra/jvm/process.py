"""Run one Java server detached from the calling process, and stop it again.

A server is started through ``/bin/sh`` so that the JVM is re-parented to init at once: it
outlives the Python process that started it (the CLI exits, the server runs on) and never
lingers as that process's zombie. Its stdout and stderr go to a console log file, its pid to a
pid file. Every JVM gets ``-Dmulu.infra.instance=<home>``, so a pid read back from the pid file
is only trusted while ``/proc/<pid>/cmdline`` still carries that mark (pids are reused).

Readiness is a caller-supplied probe tried in a loop until an overall deadline; the loop ends
early, with the log tail, when the JVM exits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from infra.errors import ServerStartError

__all__ = ["JavaProcess", "ProcessState", "tail"]

T = TypeVar("T")

INSTANCE_PROPERTY = "mulu.infra.instance"
POLL_INTERVAL = 0.2

# Appended to the launch script: poll once a second while the owner lives (leaving when the
# JVM is gone), then SIGTERM the JVM. Its output goes to /dev/null so that it does not hold
# our pipe open.
WATCHER = (
    '; jvm=$!; ( while kill -0 "$MULU_INFRA_OWNER_PID" 2>/dev/null; do '
    'kill -0 "$jvm" 2>/dev/null || exit 0; sleep 1; done; kill -TERM "$jvm" ) '
    "</dev/null >/dev/null 2>&1 &"
)


def tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a text file, or a note that it does not exist."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as error:
        return f"({path} unreadable: {error.strerror})"
    return "\n".join(text.splitlines()[-lines:])


def _cmdline(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode("utf-8", errors="replace") for part in raw.split(b"\0") if part]


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    # The state follows the parenthesised command name, which may itself contain ')'.
    return stat[stat.rfind(")") + 2 :].startswith(("Z", "X"))


@dataclass(frozen=True, slots=True)
class ProcessState:
    """What `JavaProcess.state` found: the live pid, or None."""

    pid: int | None

    @property
    def running(self) -> bool:
        return self.pid is not None


class JavaProcess:
    """One detached JVM identified by its home directory, pid file and console log."""

    def __init__(self, home: Path, pid_file: Path, console_log: Path) -> None:
        self.home = home
        self.pid_file = pid_file
        self.console_log = console_log

    @property
    def mark(self) -> str:
        """The JVM option that marks this instance's process."""
        return f"-D{INSTANCE_PROPERTY}={self.home}"

    def _owns(self, pid: int) -> bool:
        cmdline = _cmdline(pid)
        return cmdline is not None and self.mark in cmdline and not _is_zombie(pid)

    def state(self) -> ProcessState:
        """The pid of the running server, if the pid file names a live process of ours."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return ProcessState(None)
        return ProcessState(pid if self._owns(pid) else None)

    def alive(self, pid: int) -> bool:
        """Whether `pid` is still this instance's JVM."""
        return self._owns(pid)

    def spawn(
        self,
        java: Path,
        jvm_options: Sequence[str],
        main_class: str,
        arguments: Sequence[str],
        *,
        classpath: str,
        env: Mapping[str, str],
        owner_pid: int | None = None,
    ) -> int:
        """Start the JVM detached; return its pid (already written to the pid file).

        With `owner_pid`, a watcher shell sends the JVM SIGTERM once that process is gone, so
        servers a test run started do not outlive a killed run.
        """
        argv = [str(java), self.mark, *jvm_options, "-cp", classpath, main_class, *arguments]
        self.console_log.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        # The shell backgrounds the JVM in a new session and prints its pid; the shell then
        # exits, so the JVM belongs to init rather than to us.
        script = '"$@" </dev/null >>"$0" 2>&1 & echo $!'
        environment = dict(env)
        if owner_pid is not None:
            script += WATCHER
            environment["MULU_INFRA_OWNER_PID"] = str(owner_pid)
        launched = subprocess.run(
            ["/bin/sh", "-c", script, str(self.console_log), *argv],
            cwd=self.home,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            start_new_session=True,
        )
        try:
            pid = int(launched.stdout.strip())
        except ValueError:
            raise ServerStartError(
                f"could not launch {main_class}: /bin/sh said {launched.stderr.strip()!r}"
            ) from None
        self.pid_file.write_text(f"{pid}\n", encoding="ascii")
        return pid

    def wait_ready(
        self,
        pid: int,
        probe: Callable[[], T | None],
        *,
        timeout: float,
        what: str,
        logs: Sequence[Path],
    ) -> T:
        """Call `probe` until it returns a value, the JVM exits, or `timeout` seconds pass.

        `probe` returns None (or raises an ordinary exception) while the server is not ready.
        A `ServerStartError` raised by the probe ends the wait at once (e.g. bad credentials).
        """
        deadline = time.monotonic() + timeout
        last: str = "no attempt finished"
        while True:
            if not self.alive(pid):
                raise ServerStartError(
                    f"{what} exited during start-up (pid {pid})", self.log_tail(logs)
                )
            try:
                result = probe()
            except ServerStartError:
                raise
            except Exception as error:
                last = f"{type(error).__name__}: {error}"
            else:
                if result is not None:
                    return result
                last = "not ready"
            if time.monotonic() >= deadline:
                raise ServerStartError(
                    f"{what} was not ready after {timeout:.0f} s (pid {pid} still running; "
                    f"last probe: {last})",
                    self.log_tail(logs),
                )
            time.sleep(POLL_INTERVAL)

    def log_tail(self, logs: Sequence[Path], lines: int = 40) -> str:
        """The tails of the console log and the given server logs, each under its name."""
        parts = []
        for path in (self.console_log, *logs):
            if path.exists():
                parts.append(f"==> {path} <==\n{tail(path, lines)}")
        return "\n".join(parts) if parts else "(no log written)"

    def stop(self, *, timeout: float) -> bool:
        """SIGTERM, then SIGKILL after `timeout` seconds; True if a process was stopped."""
        pid = self.state().pid
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not self._wait_gone(pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 10.0)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self, pid: int) -> None:
        """SIGKILL `pid` if it is still ours, wait until it is gone, drop the pid file."""
        if self._owns(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_gone(pid, 10.0)
        self.pid_file.unlink(missing_ok=True)

    def _wait_gone(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._owns(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True
