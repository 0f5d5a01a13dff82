"""federation.server: a served instance waits instead of ticking — uvicorn's ten looks a
second are gone — while its Date header still moves with the clock and `should_exit` still
stops it at once."""

from __future__ import annotations

import asyncio
import socket
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
import uvicorn

from federation.server import DateClock, QuietServer


async def hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


async def test_a_quiet_server_serves_with_a_fresh_date_and_never_ticks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticks: list[int] = []
    on_tick = uvicorn.Server.on_tick

    async def counted(self: uvicorn.Server, counter: int) -> bool:
        ticks.append(counter)
        return await on_tick(self, counter)

    monkeypatch.setattr(uvicorn.Server, "on_tick", counted)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(hello, log_config=None, access_log=False, lifespan="on")
    async with DateClock().running() as clock:
        server = QuietServer(config, clock)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                task.result()  # it failed to start: say why
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            first = await client.get(f"http://127.0.0.1:{port}/")
            await asyncio.sleep(2.1)
            second = await client.get(f"http://127.0.0.1:{port}/")
        assert first.text == "hello"
        dates = [parsedate_to_datetime(r.headers["date"]) for r in (first, second)]
        assert abs(dates[1].timestamp() - time.time()) < 2
        assert (dates[1] - dates[0]).total_seconds() >= 1  # the clock moved it
        assert ticks == []  # uvicorn's tick never ran: nothing woke the server

        began = time.monotonic()
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        assert time.monotonic() - began < 3
    sock.close()
