"""Apps served by uvicorn on free loopback ports, in the test's own event loop.

async with live(app) as server:
    httpx.post(server.url + "/graphql", ...)
    await server.stop()          # the port is closed from here on: a dead peer

    async with live(app, **uvicorn_options(tls)) as server:   # over TLS: server.url is https
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from infra.net import free_port


@dataclass
class LiveServer:
    port: int
    server: uvicorn.Server
    task: asyncio.Task[None]
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        """Stop serving and close the port; stopping twice is harmless."""
        self.server.should_exit = True
        await self.task


@asynccontextmanager
async def live(app: ASGIApp, port: int | None = None, **options: Any) -> AsyncIterator[LiveServer]:
    """Serve `app` (its lifespan included) on 127.0.0.1:`port` until the context ends, with
    uvicorn's `options` (`federation.identity.tls.uvicorn_options`: TLS)."""
    port = port or free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
        **options,
    )
    server = uvicorn.Server(config)
    # Signals stay the test runner's: this server is stopped by `should_exit`.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    scheme = "https" if "ssl_context_factory" in options else "http"
    running = LiveServer(port, server, task, scheme)
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(f"uvicorn did not start on port {port}")
            await asyncio.sleep(0.01)
        yield running
    finally:
        await running.stop()
