"""federation.together and `mulu down`: every instance's part stops side by side, those still
stopping are named with what they wait for, and `mulu down` quotes them when it has to kill."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from federation import together
from federation.logging import JsonFormatter
from federation.together import NOT_STOPPED, Together
from federation.up import stop_detached


@asynccontextmanager
async def closing_in(seconds: float, closed: list[str], name: str) -> AsyncIterator[str]:
    yield name
    await asyncio.sleep(seconds)
    closed.append(name)


async def test_members_close_side_by_side_and_the_slow_ones_are_named(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(together, "REPORT_SECONDS", 0.2)
    closed: list[str] = []
    group = Together("server", why=lambda i: f"{i}: 3 connections still open")
    for name, seconds in (("a", 0.5), ("b", 0.5), ("c", 0.05)):
        assert await group.enter(name, closing_in(seconds, closed, name)) == name
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="mulu.runtime"):
        await group.close()
    assert time.monotonic() - began < 0.9  # side by side: not 0.5 + 0.5 + 0.05
    assert sorted(closed) == ["a", "b", "c"]
    reports = [r for r in caplog.records if r.getMessage().startswith(NOT_STOPPED)]
    assert reports
    assert reports[0].not_stopped == {  # type: ignore[attr-defined]
        "a": "a: 3 connections still open",
        "b": "b: 3 connections still open",
    }


def test_mulu_down_kills_past_its_timeout_and_says_which_instances_were_still_stopping(
    tmp_path: Path,
) -> None:
    """A process that does not end on SIGTERM, whose log (as `mulu up` writes it) named the
    instances still stopping: `stop_detached` kills it after the timeout and reports them."""
    record = logging.makeLogRecord(
        {
            "name": "mulu.runtime",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": f"{NOT_STOPPED} after 5 s: 1 servers",
            "not_stopped": {"510100/intranet": "its server: 2 connections still open"},
        }
    )
    log = tmp_path / "mulu-up.log"
    log.write_text(JsonFormatter().format(record) + "\n", encoding="utf-8")
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import signal, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                print("ready", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert stubborn.stdout is not None
    assert stubborn.stdout.readline().strip() == "ready"
    pid_path = tmp_path / "mulu-up.pid"
    pid_path.write_text(f"{stubborn.pid}\n", encoding="utf-8")
    stopped = stop_detached(pid_path, wait_seconds=1)
    stubborn.wait(10)
    stubborn.stdout.close()
    assert stopped is not None
    assert stopped.killed
    assert stopped.not_stopped == {"510100/intranet": "its server: 2 connections still open"}
    assert not pid_path.exists()
