"""Commits to a SQLite file by other processes, noticed without reading the file.

A store tells its own relays when a write commits (`graph.outbox.OutboxSignal`), and the
embedded sync log wakes its own readers when it appends; what another process writes to the
same file — `mulu import`, a second `mulu serve` on the topology's log — reaches neither. So
that nothing has to poll the database for those, one task per event loop looks every
`LOOK_SECONDS` at the size and modification time of each watched file and of its write-ahead
log (`-wal`, where every commit in WAL mode lands): a `stat` each, no SQLite read, no thread.
When they changed, the file's callback is called — for this process's own commits too, so a
callback must be harmless when told of a write its owner already knows about. The task runs
while at least one file is watched.

A commit reaches the `-wal` before a reader can see it: its frames are written, then synced and
published in the WAL index (the `-shm`, shared memory with no dependable stamp). A look that
falls between the two finds the stamp changed, and the callback's read finds nothing new — and
the stamp does not change again when the commit becomes visible. So after a change the file is
told again at every look for `SETTLE_SECONDS` (at least once more), whether its stamp moved or
not: a reader woken too early looks again once the commit is there.

    unwatch = watch(path, store.outbox_signal.notify)
    ...
    unwatch()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LOOK_SECONDS", "SETTLE_SECONDS", "watch"]

LOOK_SECONDS = 1.0
# How long after a change a file is told again at each look (the sync and publication of a
# commit whose frames a look saw take milliseconds; a loaded machine's sync can take far more).
SETTLE_SECONDS = 1.0

_log = logging.getLogger("mulu.embedded")

# (size, mtime_ns, inode) of the file and of its -wal; None where a file does not exist.
_Stamp = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


def _stamp(path: Path) -> _Stamp:
    return (_stat(path), _stat(path.with_name(path.name + "-wal")))


@dataclass(eq=False, slots=True)
class _Watched:
    path: Path
    callback: Callable[[], object]
    stamp: _Stamp
    every: float  # seconds between looks
    due: float  # the event loop's time of the next look
    settled: float = 0.0  # the event loop's time until which a look tells again (SETTLE_SECONDS)


class _Watcher:
    """The files watched in one event loop, and the task that looks at them."""

    def __init__(self) -> None:
        self.files: list[_Watched] = []
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while self.files:
            await asyncio.sleep(max(0.0, min(w.due for w in self.files) - loop.time()))
            now = loop.time()
            for watched in list(self.files):
                if watched.due > now:
                    continue
                watched.due = now + watched.every
                stamp = _stamp(watched.path)
                if stamp != watched.stamp:
                    watched.stamp = stamp
                    watched.settled = now + max(SETTLE_SECONDS, watched.every)
                elif now > watched.settled:
                    continue
                try:
                    watched.callback()
                except Exception:  # one owner's bug does not blind the others
                    _log.exception(
                        "a file-change callback failed", extra={"path": str(watched.path)}
                    )


_watchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watcher] = (
    weakref.WeakKeyDictionary()
)


def watch(
    path: Path, callback: Callable[[], object], *, every: float = LOOK_SECONDS
) -> Callable[[], None]:
    """Call `callback` (in this event loop) within about `every` seconds of each commit to the
    SQLite file `path`, by any process; the function returned stops it (calling it twice is
    harmless)."""
    if not every > 0:
        raise ValueError(f"a file is looked at every so many seconds, more than 0, not {every}")
    loop = asyncio.get_running_loop()
    watcher = _watchers.get(loop)
    if watcher is None:
        watcher = _watchers[loop] = _Watcher()
    watched = _Watched(Path(path), callback, _stamp(Path(path)), every, loop.time() + every)
    sooner = all(watched.due < w.due for w in watcher.files)
    watcher.files.append(watched)
    if watcher.task is not None and not watcher.task.done() and sooner:
        watcher.task.cancel()  # asleep until a later look: started again below
        watcher.task = None
    if watcher.task is None or watcher.task.done():
        watcher.task = loop.create_task(watcher.run(), name="mulu file changes")

    def unwatch() -> None:
        with contextlib.suppress(ValueError):
            watcher.files.remove(watched)
        if not watcher.files and watcher.task is not None:
            watcher.task.cancel()
            watcher.task = None

    return unwatch
