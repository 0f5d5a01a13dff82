"""`QuietServer`: uvicorn's server without its tick, for many instances in one process.

uvicorn's `Server` wakes ten times a second while it serves — to see whether it should exit,
and once a second to put the time in its `Date` header. Sixty-two instances in one `mulu up`
woke the process 620 times a second doing nothing. A `QuietServer` waits for `should_exit`
instead (an event, set through the same attribute uvicorn and the runtime set), and its
`Date` header is written by one `DateClock` for every server of the process, once a second.

    clock = DateClock()
    server = QuietServer(uvicorn.Config(app), clock)
    async with clock.running():
        await server.serve(sockets=[sock])
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from email.utils import formatdate

import uvicorn

__all__ = ["DateClock", "QuietServer"]


class DateClock:
    """Writes the `Date` header of its servers once a second, while any of them serves."""

    def __init__(self) -> None:
        self._servers: set[QuietServer] = set()

    def add(self, server: QuietServer) -> None:
        self._servers.add(server)
        server.set_date(self._now())

    def discard(self, server: QuietServer) -> None:
        self._servers.discard(server)

    @staticmethod
    def _now() -> bytes:
        return formatdate(time.time(), usegmt=True).encode()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[DateClock]:
        async def tick() -> None:
            while True:
                # Sleep to the next whole second, as uvicorn's own tick roughly does.
                await asyncio.sleep(1.0 - time.time() % 1.0 + 0.001)
                now = self._now()
                for server in self._servers:
                    server.set_date(now)

        task = asyncio.create_task(tick(), name="mulu date header")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class QuietServer(uvicorn.Server):
    """A uvicorn `Server` whose main loop waits for `should_exit` rather than looking at it
    ten times a second; `clock` keeps its `Date` header."""

    def __init__(self, config: uvicorn.Config, clock: DateClock) -> None:
        self._exit = asyncio.Event()
        self._clock = clock
        super().__init__(config)

    @property
    def should_exit(self) -> bool:
        return self._exit.is_set()

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        if value:
            self._exit.set()
        else:
            self._exit.clear()

    async def exited(self) -> None:
        """Return once `should_exit` is set."""
        await self._exit.wait()

    def set_date(self, date: bytes) -> None:
        header = [(b"date", date)] if self.config.date_header else []
        self.server_state.default_headers = header + self.config.encoded_headers

    async def main_loop(self) -> None:
        self._clock.add(self)
        try:
            await self._exit.wait()
        finally:
            self._clock.discard(self)
