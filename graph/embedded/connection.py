"""SQLite connections, each used from its own worker thread, so the event loop never blocks.

One connection writes; `readers` more (read-only) read, side by side with it and with each
other (WAL lets readers and one writer work at once). So a long read — a request's search —
neither holds up a write (a mutation, the sync applying a batch) nor other reads while a reader
is free. `write` wraps its work in one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, or
``ROLLBACK`` on any error), so a write is all or nothing; `read` in one read transaction.

A read whose caller is cancelled (its request timed out) is stopped in the database: the
connection is interrupted (`sqlite3.Connection.interrupt`) and a progress handler refuses every
later statement of that work, so the query does not run on after no one waits for it. Its
reader is free again once the work has let go. Writes are not interrupted: they are short, and
a cancelled write is rolled back only by SQLite's own failure paths.

SQLite's own errors leave here as `StoreUnavailable` (or the error the owner names: the embedded
sync log uses this class too).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TypeVar

from graph.embedded.schema import create_schema
from graph.errors import StoreUnavailable

__all__ = ["Connection"]

T = TypeVar("T")

# How many SQLite virtual machine steps run between two looks at a read's stop flag: some tens
# of milliseconds of SQLite's time. Each look is a call into Python, which must take the GIL, and
# beside a thread that computes (a link applying a batch) taking it waits up to the switch
# interval, 5 ms. At 10,000 steps a search of 5,000 entries looked 56 times: 36 ms alone, 439 ms
# beside one such thread; at 1,000,000, 136 ms (bench/convoy_bench.py). An interrupted read's
# running statement stops at once (`sqlite3.Connection.interrupt`); a later one of its work
# within this many steps.
_PROGRESS_STEPS = 1_000_000


class _Worker:
    """One SQLite connection and the single thread that uses it."""

    def __init__(self, name: str) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.sqlite: sqlite3.Connection | None = None
        self.stop: threading.Event | None = None  # set: the read it runs is to end now

    def interrupt(self) -> None:
        """Stop the read this worker runs, if any."""
        if self.stop is not None:
            self.stop.set()
        if self.sqlite is not None:
            with suppress(sqlite3.ProgrammingError):  # closed meanwhile: nothing runs on it
                self.sqlite.interrupt()


class Connection:
    """The store's connections — one writer, `readers` readers — and their threads."""

    def __init__(
        self,
        path: Path,
        *,
        prepare: Callable[[sqlite3.Connection], None] = create_schema,
        synchronous: str = "NORMAL",
        name: str = "catalog file",
        unavailable: Callable[[str], Exception] = StoreUnavailable,
        closed: Callable[[str], Exception] = RuntimeError,
        readers: int = 2,
    ) -> None:
        if readers < 1:
            raise ValueError(f"readers = {readers}: give at least 1")
        self._path = path
        self._prepare = prepare
        self._synchronous = synchronous
        self._name = name
        self._unavailable = unavailable
        self._closed = closed
        self._readers = readers
        self._writer: _Worker | None = None
        self._all: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()

    async def open(self) -> None:
        if self._writer is not None:
            raise RuntimeError(f"the {self._name} {self._path} is already open")
        writer = _Worker("mulu-sqlite")
        self._writer, self._all = writer, [writer]
        try:
            await self._on(writer, partial(self._connect, writer, reading=False))
            for _ in range(self._readers):
                reader = _Worker("mulu-sqlite-read")
                self._all.append(reader)
                await self._on(reader, partial(self._connect, reader, reading=True))
                self._idle.put_nowait(reader)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connections and stop their threads; harmless when already closed."""
        workers, self._all, self._writer = self._all, [], None
        idle, self._idle = self._idle, asyncio.Queue()
        loop = asyncio.get_running_loop()
        for worker in workers[1:]:  # a read running now would keep its thread for minutes
            worker.interrupt()
        for worker in workers:
            try:
                # Queued behind whatever the thread still runs (an interrupted read ends soon).
                await loop.run_in_executor(worker.executor, self._disconnect, worker)
            finally:
                worker.executor.shutdown(wait=False)
        # A read still waiting for a reader gets a closed one, and says so, instead of waiting.
        for worker in workers[1:]:
            idle.put_nowait(worker)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on a free reader's thread, in one read transaction; stopped in the
        database when the caller is cancelled."""
        self._open_writer()
        idle = self._idle
        reader = await idle.get()
        if self._writer is None:  # closed while this read waited
            idle.put_nowait(reader)
            self._open_writer()
        reader.stop = stop = threading.Event()
        loop = asyncio.get_running_loop()
        sqlite = self._sqlite(reader)
        running = reader.executor.submit(self._in_transaction, sqlite, work, "BEGIN", stop)
        # The reader is free again once its work has let go, not when its caller stopped waiting.
        running.add_done_callback(lambda _: loop.call_soon_threadsafe(idle.put_nowait, reader))
        try:
            return await asyncio.wrap_future(running)
        except asyncio.CancelledError:
            # Only while the work runs: once done, the reader may already serve the next read
            # (handed on by the callback above), whose statements an interrupt would stop.
            if not running.done():
                reader.interrupt()
            raise
        except sqlite3.Error as exc:
            raise self._unavailable(f"the {self._name} {self._path} did not answer: {exc}") from exc

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the writer's thread, in one write transaction."""
        writer = self._open_writer()
        return await self._on(
            writer, lambda: self._in_transaction(self._sqlite(writer), work, "BEGIN IMMEDIATE")
        )

    def _open_writer(self) -> _Worker:
        if self._writer is None:
            raise self._closed(f"the {self._name} {self._path} is not open")
        return self._writer

    async def _on(self, worker: _Worker, work: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(worker.executor, work)
        except sqlite3.Error as exc:
            raise self._unavailable(f"the {self._name} {self._path} did not answer: {exc}") from exc

    @staticmethod
    def _in_transaction(
        sqlite: sqlite3.Connection,
        work: Callable[[sqlite3.Connection], T],
        begin: str,
        stop: threading.Event | None = None,
    ) -> T:
        if sqlite.in_transaction:  # an interrupted read could not end its own
            sqlite.execute("ROLLBACK")
        sqlite.execute(begin)
        try:
            if stop is None:
                result = work(sqlite)
            else:
                # Non-zero from the handler aborts the running statement ("interrupted").
                sqlite.set_progress_handler(stop.is_set, _PROGRESS_STEPS)
                try:
                    result = work(sqlite)
                finally:
                    sqlite.set_progress_handler(None, 0)
        except BaseException:
            if sqlite.in_transaction:  # SQLite may have rolled back already
                sqlite.execute("ROLLBACK")
            raise
        sqlite.execute("COMMIT")
        return result

    def _sqlite(self, worker: _Worker) -> sqlite3.Connection:
        if worker.sqlite is None:
            raise self._closed(f"the {self._name} {self._path} is not open")
        return worker.sqlite

    def _connect(self, worker: _Worker, *, reading: bool) -> None:
        if not reading:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and ended here, explicitly. (interrupt()
        # may come from any thread; everything else runs on the worker's own.)
        sqlite = sqlite3.connect(self._path, isolation_level=None)
        try:
            sqlite.execute("PRAGMA busy_timeout = 5000")
            if reading:
                sqlite.execute("PRAGMA query_only = ON")
            else:
                sqlite.execute("PRAGMA journal_mode = WAL")
                sqlite.execute(f"PRAGMA synchronous = {self._synchronous}")
                self._prepare(sqlite)
            sqlite.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            sqlite.close()
            raise
        worker.sqlite = sqlite

    @staticmethod
    def _disconnect(worker: _Worker) -> None:
        sqlite, worker.sqlite = worker.sqlite, None
        if sqlite is not None:
            sqlite.close()
