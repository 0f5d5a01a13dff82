"""Idle links wait for word and never poll: an idle link reads neither its stores nor its log,
and what another process writes — to a store file or to the log file — still crosses within
seconds (graph.embedded.changes), not at the next safety look a minute later."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from graph.embedded import EmbeddedStore
from graph.embedded.connection import Connection
from sync.errors import LogUnavailable
from sync.events import outbox_record
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from sync.topics import create_topics
from sync.worker import SyncWorker
from tests.sync import samples
from tests.sync.conftest import MakeLink
from tests.sync.mesh import CATALOGS

CI, PI = "510100/intranet", "510000/intranet"
ROOT = Path(__file__).resolve().parents[2]


def entry(n: int) -> Any:
    return samples.entry(f"301001001/{n:06d}", related_codes=(), derived_from=())


async def until(check: Callable[[], Any], seconds: float) -> float:
    """Seconds until `await check()` is true; fails past `seconds`."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@asynccontextmanager
async def linked(tmp: Path, the_link: Link) -> AsyncIterator[tuple[EmbeddedStore, EmbeddedStore]]:
    """成都's and 四川's stores (``ci.db``, ``pi.db``) with a worker each on `the_link`."""
    async with (
        EmbeddedStore.open(tmp / "ci.db", CATALOGS[CI]) as city,
        EmbeddedStore.open(tmp / "pi.db", CATALOGS[PI]) as province,
        EmbeddedLog.open(tmp / "log.db") as log,
    ):
        await create_topics(log, [the_link])  # as an instance does before its worker starts
        async with SyncWorker(city, log, [the_link]), SyncWorker(province, log, [the_link]):
            yield city, province


def in_another_process(script: str) -> None:
    """Run `script` in a Python process of its own, with the project importable."""
    subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


async def test_an_idle_link_reads_neither_its_stores_nor_its_log(
    tmp_path: Path, link: MakeLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    read, write = Connection.read, Connection.write

    async def counted_read(self: Connection, work: Any) -> Any:
        calls.append("read")
        return await read(self, work)

    async def counted_write(self: Connection, work: Any) -> Any:
        calls.append("write")
        return await write(self, work)

    async with linked(tmp_path, link(CI, PI)) as (city, province):
        first = entry(1)
        await city.save(first, None, outbox=outbox_record(first))
        await until(lambda: province.get(first.code), 10)
        await asyncio.sleep(1.5)  # the last commits, and the file watcher's first look
        monkeypatch.setattr(Connection, "read", counted_read)
        monkeypatch.setattr(Connection, "write", counted_write)
        await asyncio.sleep(3)
        assert calls == []  # relays, consumers (both lanes) and audit sinks all wait

        # …and a write is carried at once all the same.
        second = entry(2)
        await city.save(second, None, outbox=outbox_record(second))
        assert await until(lambda: province.get(second.code), 10) < 2
    assert calls


async def test_an_entry_another_process_writes_to_the_store_crosses_within_seconds(
    tmp_path: Path, link: MakeLink
) -> None:
    """`mulu import` writes to an instance's file from a process of its own: no signal of
    this process hears it; the file's watcher does."""
    path = tmp_path / "ci.db"
    async with linked(tmp_path, link(CI, PI)) as (_, province):
        await asyncio.sleep(1)  # every side idle, waiting
        await asyncio.to_thread(
            in_another_process,
            f"""
            import asyncio
            from graph.embedded import EmbeddedStore
            from sync.events import outbox_record
            from tests.sync import samples
            from tests.sync.mesh import CATALOGS

            async def main():
                async with EmbeddedStore.open({str(path)!r}, CATALOGS[{CI!r}]) as store:
                    e = samples.entry("301001001/000007", related_codes=(), derived_from=())
                    await store.save(e, None, outbox=outbox_record(e))

            asyncio.run(main())
            """,
        )
        # The relay's own look is a minute away; the watcher sees the file within a second.
        assert await until(lambda: province.get("301001001/000007"), 20) < 10


async def test_a_record_another_process_appends_wakes_a_waiting_reader(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    async with EmbeddedLog.open(path) as log:
        await log.create_topic("t")
        async with log.reader("t", "g") as reader:
            assert await reader.getmany(timeout_ms=100) == []
            started = time.monotonic()
            waiting = asyncio.ensure_future(reader.getmany(timeout_ms=30_000))
            await asyncio.sleep(0.2)
            await asyncio.to_thread(
                in_another_process,
                f"""
                import asyncio
                from sync.log.embedded import EmbeddedLog

                async def main():
                    async with EmbeddedLog.open({str(path)!r}) as log:
                        await log.append("t", [("k", b"v")])

                asyncio.run(main())
                """,
            )
            (record,) = await asyncio.wait_for(waiting, 30)
            assert record.value == b"v"
            assert time.monotonic() - started < 15  # not the reader's own look at 60 s


@asynccontextmanager
async def reading_beside_a_writer(
    path: Path,
) -> AsyncIterator[tuple[EmbeddedLog, EmbeddedLog, Any]]:
    """A second `EmbeddedLog` on the file (opened first, default look) as the writer, and a
    reader of topic ``t`` in a log that looks every 50 ms, idle at the end: (writer, log,
    reader). The writer's appends reach the reader only through the file."""
    async with (
        EmbeddedLog.open(path) as other,
        EmbeddedLog.open(path, look_seconds=0.05) as log,
    ):
        await log.create_topic("t")
        async with log.reader("t", "g") as reader:
            assert await reader.getmany(timeout_ms=100) == []
            yield other, log, reader


async def test_a_log_that_looks_every_50_ms_sees_another_writer_s_append_at_once(
    tmp_path: Path,
) -> None:
    """Where a topology runs in several processes each hop between two of them is an append
    another process made: a log opened with `look_seconds=0.05` wakes its reader within a
    fraction of a second of it, not at the next one-second look. (A second `EmbeddedLog` on the
    file, opened first with the default look, is such a writer: its appends never reach the
    first one's readers but through the file.)"""
    async with reading_beside_a_writer(tmp_path / "log.db") as (other, _, reader):
        took = []
        for n in range(3):
            waiting = asyncio.ensure_future(reader.getmany(timeout_ms=10_000))
            await asyncio.sleep(0.3)
            await other.append("t", [("k", f"v{n}".encode())])
            appended = time.monotonic()
            (record,) = await asyncio.wait_for(waiting, 10)
            took.append(time.monotonic() - appended)
            assert record.value == f"v{n}".encode()
    assert max(took) < 0.5, took


async def test_a_look_at_the_ends_that_fails_is_tried_again(tmp_path: Path) -> None:
    """A look at the topics' ends that fails (the file busy a moment) is tried again until it
    succeeds, rather than leaving the reader asleep until its own look a minute later once the
    watcher has stopped telling of the change (graph.embedded.changes: for a second after it)."""
    async with reading_beside_a_writer(tmp_path / "log.db") as (other, log, reader):
        real_read, failures = log._read, []

        async def busy_once(work: Any) -> Any:
            if not failures:
                failures.append(1)
                raise LogUnavailable("the log file did not answer: database is locked")
            return await real_read(work)

        log._read = busy_once  # type: ignore[method-assign]
        waiting = asyncio.ensure_future(reader.getmany(timeout_ms=10_000))
        await asyncio.sleep(0.2)
        await other.append("t", [("k", b"v")])
        appended = time.monotonic()
        (record,) = await asyncio.wait_for(waiting, 10)
        assert record.value == b"v"
        assert failures == [1]
        assert time.monotonic() - appended < 2
