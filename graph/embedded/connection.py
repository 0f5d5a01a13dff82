"""One SQLite connection, used from one worker thread, so the event loop never blocks.

Every call runs a function with the connection on that thread; `write` wraps it in one
transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any error), so a write is all
or nothing. SQLite's own errors leave here as `StoreUnavailable` (or the error the owner names:
the embedded sync log uses this connection too).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from graph.embedded.schema import create_schema
from graph.errors import StoreUnavailable

__all__ = ["Connection"]

T = TypeVar("T")


class Connection:
    """The store's connection and the single thread that uses it."""

    def __init__(
        self,
        path: Path,
        *,
        prepare: Callable[[sqlite3.Connection], None] = create_schema,
        synchronous: str = "NORMAL",
        name: str = "catalog file",
        unavailable: Callable[[str], Exception] = StoreUnavailable,
        closed: Callable[[str], Exception] = RuntimeError,
    ) -> None:
        self._path = path
        self._prepare = prepare
        self._synchronous = synchronous
        self._name = name
        self._unavailable = unavailable
        self._closed = closed
        self._executor: ThreadPoolExecutor | None = None
        self._sqlite: sqlite3.Connection | None = None

    async def open(self) -> None:
        if self._executor is not None:
            raise RuntimeError(f"the {self._name} {self._path} is already open")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mulu-sqlite")
        try:
            await self._run(self._connect)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the connection and stop its thread; harmless when already closed."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, self._disconnect)
        finally:
            executor.shutdown(wait=False)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the worker thread, in one read transaction."""
        return await self._run(lambda: self._in_transaction(work, "BEGIN"))

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the worker thread, in one write transaction."""
        return await self._run(lambda: self._in_transaction(work, "BEGIN IMMEDIATE"))

    async def _run(self, work: Callable[[], T]) -> T:
        if self._executor is None:
            raise self._closed(f"the {self._name} {self._path} is not open")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, work)
        except sqlite3.Error as exc:
            raise self._unavailable(f"the {self._name} {self._path} did not answer: {exc}") from exc

    def _in_transaction(self, work: Callable[[sqlite3.Connection], T], begin: str) -> T:
        sqlite = self._connection()
        sqlite.execute(begin)
        try:
            result = work(sqlite)
        except BaseException:
            if sqlite.in_transaction:  # SQLite may have rolled back already
                sqlite.execute("ROLLBACK")
            raise
        sqlite.execute("COMMIT")
        return result

    def _connection(self) -> sqlite3.Connection:
        if self._sqlite is None:
            raise self._closed(f"the {self._name} {self._path} is not open")
        return self._sqlite

    def _connect(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun and ended here, explicitly.
        sqlite = sqlite3.connect(self._path, isolation_level=None)
        try:
            sqlite.execute("PRAGMA journal_mode = WAL")
            sqlite.execute("PRAGMA foreign_keys = ON")
            sqlite.execute(f"PRAGMA synchronous = {self._synchronous}")
            sqlite.execute("PRAGMA busy_timeout = 5000")
            self._prepare(sqlite)
        except BaseException:
            sqlite.close()
            raise
        self._sqlite = sqlite

    def _disconnect(self) -> None:
        sqlite, self._sqlite = self._sqlite, None
        if sqlite is not None:
            sqlite.close()
