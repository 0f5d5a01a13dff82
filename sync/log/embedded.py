"""`EmbeddedLog`: the `ChangeLog` on SQLite, for a single host without Kafka.

One file holds every topic: an append-only table of records (an UPDATE is refused by a
trigger; only compaction deletes), each topic's next offset, and the committed offset of each
(group, topic). Offsets only grow — compaction leaves gaps, as Kafka's does. `compact` keeps
the last record of every key, so reading a topic from the start yields the current state of
every entry; it runs by itself every `compact_every` appended records of a topic. With
`prune_consumed` (an instance's log: each link topic has one group, its target's) a commit
also deletes the records of its topic that every group has committed past, so that the file
holds what waits, not what was delivered; a topic no group commits on (dead letters, the
sharing events) is never pruned, and a new group then reads from the oldest record left.

Every call runs on a worker thread of the log (one writes; `readers` read side by side), so the
event loop never blocks; SQLite's errors leave as `LogUnavailable` (retriable).

A reader waiting for records waits for word, never polls: an append in this process wakes the
readers of its topic at once; another process's append (a second `mulu serve` on the same
file) is noticed by the file's watcher (`graph.embedded.changes`: a `stat` every `look_seconds`,
a second by default, 50 ms where a topology's instances run in several processes), which then
reads the topics' ends once and wakes the readers of each topic that grew. Idle, the log
is not read at all, but for a look every `_LOOK_SECONDS` per reader, a safety net.

    async with EmbeddedLog.open("sync.db") as log:
        await log.create_topic("mulu.sync.mirror.510100-intranet.510100-extranet")
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import TypeVar

from graph.embedded.changes import LOOK_SECONDS, watch
from graph.embedded.connection import Connection
from sync.errors import LogClosed, LogUnavailable, UnknownTopic
from sync.log.protocol import ChangeLog, Record

__all__ = ["EmbeddedLog"]

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    topic            TEXT PRIMARY KEY,
    next_offset      INTEGER NOT NULL DEFAULT 0,
    since_compaction INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS records (
    topic  TEXT NOT NULL REFERENCES topics (topic),
    offset INTEGER NOT NULL,
    key    TEXT NOT NULL,
    value  BLOB NOT NULL,
    PRIMARY KEY (topic, offset)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_key ON records (topic, key, offset);
CREATE TRIGGER IF NOT EXISTS records_append_only BEFORE UPDATE ON records
BEGIN
    SELECT RAISE(ABORT, 'records are append-only');
END;
CREATE TABLE IF NOT EXISTS commits (
    grp    TEXT NOT NULL,
    topic  TEXT NOT NULL REFERENCES topics (topic),
    offset INTEGER NOT NULL,
    PRIMARY KEY (grp, topic)
);
"""

_COMPACT = (
    "DELETE FROM records WHERE topic = ? AND offset < "
    "(SELECT MAX(newer.offset) FROM records AS newer "
    " WHERE newer.topic = records.topic AND newer.key = records.key)"
)

# How often a reader waiting for records reads the file without being told of an append.
_LOOK_SECONDS = 60.0
_RELOOK_SECONDS = 0.05  # the first pause before a failed look at the topics' ends is tried again


class EmbeddedLog:
    """The logs of every link of one host, in one SQLite file (WAL)."""

    def __init__(
        self,
        path: Path | str,
        *,
        compact_every: int = 10_000,
        prune_consumed: bool = False,
        readers: int = 2,
        look_seconds: float = LOOK_SECONDS,
    ) -> None:
        self._path = Path(path)
        self._look_seconds = look_seconds  # how soon another process's append is seen
        self._compact_every = compact_every
        self._prune_consumed = prune_consumed
        # FULL: an appended record survives a power cut once append() returned (acks=all).
        self._connection = Connection(
            self._path,
            prepare=_create_schema,
            synchronous="FULL",
            name="log file",
            unavailable=LogUnavailable,
            closed=LogClosed,
            readers=readers,
        )
        self._appended: dict[str, asyncio.Event] = {}  # by topic: set by its next append
        self._ends: dict[str, int] = {}  # by topic: its end as this process last knew it
        self._unwatch: Callable[[], None] | None = None
        self._looking: asyncio.Task[None] | None = None
        self._look_again = False  # a change told since the running look read the ends

    def appended(self, topic: str) -> asyncio.Event:
        """The event the next append to `topic` in this process sets."""
        event = self._appended.get(topic)
        if event is None:
            event = self._appended[topic] = asyncio.Event()
        return event

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        path: Path | str,
        *,
        compact_every: int = 10_000,
        prune_consumed: bool = False,
        readers: int = 2,
        look_seconds: float = LOOK_SECONDS,
    ) -> AsyncIterator[EmbeddedLog]:
        log = cls(
            path,
            compact_every=compact_every,
            prune_consumed=prune_consumed,
            readers=readers,
            look_seconds=look_seconds,
        )
        await log.connect()
        try:
            yield log
        finally:
            await log.close()

    async def connect(self) -> None:
        await self._connection.open()
        self._unwatch = watch(self._path, self._changed, every=self._look_seconds)

    async def close(self) -> None:
        """Close the file; harmless when already closed."""
        unwatch, self._unwatch = self._unwatch, None
        if unwatch is not None:
            unwatch()
        looking, self._looking = self._looking, None
        if looking is not None:
            looking.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await looking
        await self._connection.close()

    def _wake(self, topic: str) -> None:
        woken = self._appended.pop(topic, None)
        if woken is not None:
            woken.set()

    def _changed(self) -> None:
        """The file changed (`graph.embedded.changes`): find which topics grew. A change told
        while a look is under way is looked at again after it (that look's read may have come
        before the commit)."""
        self._look_again = True
        if self._looking is None or self._looking.done():
            self._looking = asyncio.ensure_future(self._look_at_ends())

    async def _look_at_ends(self) -> None:
        """Wake the readers of every topic whose end moved since this process last knew it —
        appended to by another process (this one's appends are known already). A read that
        fails is tried again (a moment's trouble must not leave a reader asleep until its
        `_LOOK_SECONDS` safety net)."""
        pause = _RELOOK_SECONDS
        while self._look_again:
            self._look_again = False
            try:
                ends = await self._read(
                    lambda db: dict(db.execute("SELECT topic, next_offset FROM topics").fetchall())
                )
            except LogClosed:
                return
            except LogUnavailable:
                self._look_again = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, LOOK_SECONDS)
                continue
            for topic, end in ends.items():
                if self._ends.get(topic) != end:
                    self._ends[topic] = int(end)
                    self._wake(topic)

    async def __aenter__(self) -> EmbeddedLog:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- ChangeLog ----------------------------------------------------------------------------

    async def create_topic(self, topic: str) -> None:
        await self._write(
            lambda db: db.execute(
                "INSERT INTO topics (topic) VALUES (?) ON CONFLICT (topic) DO NOTHING", (topic,)
            )
        )

    async def append(self, topic: str, records: Sequence[tuple[str, bytes]]) -> list[int]:
        if not records:
            return []

        def append(db: sqlite3.Connection) -> list[int]:
            first = _next_offset(db, topic)
            offsets = list(range(first, first + len(records)))
            db.executemany(
                "INSERT INTO records (topic, offset, key, value) VALUES (?, ?, ?, ?)",
                [
                    (topic, o, key, bytes(value))
                    for o, (key, value) in zip(offsets, records, strict=True)
                ],
            )
            (since,) = db.execute(
                "UPDATE topics SET next_offset = ?, since_compaction = since_compaction + ? "
                "WHERE topic = ? RETURNING since_compaction",
                (first + len(records), len(records), topic),
            ).fetchone()
            if since >= self._compact_every:
                _compact(db, topic)
            return offsets

        offsets = await self._write(append)
        if offsets:
            self._ends[topic] = max(self._ends.get(topic, 0), offsets[-1] + 1)
        self._wake(topic)
        return offsets

    async def end_offset(self, topic: str) -> int:
        return await self._read(lambda db: _next_offset(db, topic))

    @asynccontextmanager
    async def reader(self, topic: str, group: str) -> AsyncIterator[_EmbeddedReader]:
        await self.end_offset(topic)  # UnknownTopic now rather than at the first read
        reader = _EmbeddedReader(self, topic, group)
        await reader.seek_to_committed()
        try:
            yield reader
        finally:
            reader.closed = True

    # -- beyond the protocol ------------------------------------------------------------------

    async def compact(self, topic: str) -> int:
        """Keep only the last record of every key of `topic`; return how many were removed."""

        def compact(db: sqlite3.Connection) -> int:
            _next_offset(db, topic)
            return _compact(db, topic)

        return await self._write(compact)

    async def topics(self) -> list[str]:
        return await self._read(
            lambda db: [str(t) for (t,) in db.execute("SELECT topic FROM topics ORDER BY topic")]
        )

    # -- the worker thread --------------------------------------------------------------------

    async def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._connection.read(work)

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._connection.write(work)


def _create_schema(db: sqlite3.Connection) -> None:
    db.executescript(_SCHEMA)


def _next_offset(db: sqlite3.Connection, topic: str) -> int:
    row = db.execute("SELECT next_offset FROM topics WHERE topic = ?", (topic,)).fetchone()
    if row is None:
        raise UnknownTopic(topic)
    return int(row[0])


def _compact(db: sqlite3.Connection, topic: str) -> int:
    removed = db.execute(_COMPACT, (topic,)).rowcount
    db.execute("UPDATE topics SET since_compaction = 0 WHERE topic = ?", (topic,))
    return int(removed)


def _prune(db: sqlite3.Connection, topic: str) -> int:
    """Delete the records of `topic` that every group reading it has committed past; none
    while no group has committed (a reader that has not passed keeps its records)."""
    return int(
        db.execute(
            "DELETE FROM records WHERE topic = ? AND offset < "
            "(SELECT MIN(offset) FROM commits WHERE topic = ?)",
            (topic, topic),
        ).rowcount
    )


class _EmbeddedReader:
    """A reader of one topic for one consumer group; its position is its own until committed."""

    def __init__(self, log: EmbeddedLog, topic: str, group: str) -> None:
        self._log = log
        self._topic = topic
        self._group = group
        self._position = 0
        # The append event seen at the last read that found nothing, and when to read again
        # without another (a safety net: other processes' appends wake it too).
        self._seen: asyncio.Event | None = None
        self._look_at = 0.0
        self.closed = False

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def group(self) -> str:
        return self._group

    @property
    def stalls(self) -> bool:
        return False  # every append wakes it (graph.embedded.changes for other processes)

    async def getmany(self, max_records: int = 500, timeout_ms: int = 1000) -> list[Record]:
        """The next records, waiting at most `timeout_ms` for one. An append wakes it (one of
        this process at once, another's within `look_seconds`); without one the file is read
        again only every `_LOOK_SECONDS`: idle, a reader does not read the file, whatever
        `timeout_ms`."""
        self._check_open()
        now = time.monotonic()
        deadline = now + max(timeout_ms, 0) / 1000
        while True:
            waiting = self._log.appended(self._topic)  # taken before reading: none is missed
            records: list[Record] = []
            if waiting is not self._seen or now >= self._look_at:
                records = await self._log._read(self._fetch(max_records))
                now = time.monotonic()
                if records:
                    break
                self._seen, self._look_at = waiting, now + _LOOK_SECONDS
            if now >= deadline:
                break
            with suppress(TimeoutError):
                await asyncio.wait_for(waiting.wait(), min(deadline, self._look_at) - now)
            now = time.monotonic()
        if records:
            self._position = records[-1].offset + 1
        return records

    def _fetch(self, limit: int) -> Callable[[sqlite3.Connection], list[Record]]:
        def fetch(db: sqlite3.Connection) -> list[Record]:
            rows = db.execute(
                "SELECT offset, key, value FROM records WHERE topic = ? AND offset >= ? "
                "ORDER BY offset LIMIT ?",
                (self._topic, self._position, limit),
            )
            return [Record(self._topic, int(o), str(k), bytes(v)) for o, k, v in rows]

        return fetch

    async def commit(self, offset: int | None = None) -> None:
        self._check_open()
        position = self._position if offset is None else offset
        topic, group, prune = self._topic, self._group, self._log._prune_consumed

        def commit(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO commits (grp, topic, offset) VALUES (?, ?, ?) "
                "ON CONFLICT (grp, topic) DO UPDATE SET offset = excluded.offset",
                (group, topic, position),
            )
            if prune:
                _prune(db, topic)

        await self._log._write(commit)

    async def committed(self) -> int | None:
        self._check_open()
        row = await self._log._read(
            lambda db: db.execute(
                "SELECT offset FROM commits WHERE grp = ? AND topic = ?",
                (self._group, self._topic),
            ).fetchone()
        )
        return None if row is None else int(row[0])

    async def seek_to_beginning(self) -> None:
        self._check_open()
        self._position = 0  # offsets start at 0; compaction only leaves gaps
        self._seen = None  # moved: read at once

    async def seek_to_committed(self) -> None:
        committed = await self.committed()
        self._position = committed or 0
        self._seen = None  # moved: read at once

    async def lag(self) -> int:
        self._check_open()
        end = await self._log.end_offset(self._topic)
        committed = await self.committed()
        if committed is None:
            first = await self._log._read(
                lambda db: db.execute(
                    "SELECT MIN(offset) FROM records WHERE topic = ?", (self._topic,)
                ).fetchone()[0]
            )
            committed = end if first is None else int(first)
        return max(end - committed, 0)

    def _check_open(self) -> None:
        if self.closed:
            raise LogClosed(f"the reader of {self._topic} for group {self._group} is closed")


def _conforms(log: EmbeddedLog) -> ChangeLog:
    return log  # mypy checks that EmbeddedLog implements ChangeLog
