"""An instance's server sets TCP_NODELAY on every connection it accepts: asyncio leaves Nagle's
algorithm on, and a kept-alive request waited about 40 ms for the client's delayed ACK
(bench/keepalive_bench.py measures it)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path

import httpx
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from federation.app import create_app
from federation.identity.tls import TlsH11Protocol
from federation.runtime import PLAIN_HTTP, NoDelayProtocol, http_options
from federation.settings import Settings


async def nodelay_of_accepted(protocol: type[asyncio.Protocol], data_dir: Path) -> list[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(Settings(data_dir=data_dir)), log_config=None, lifespan="on", http=protocol
    )
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "the server stopped while starting"
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://127.0.0.1:{port}/health")
            assert response.status_code == 200
            return [
                connection.transport.get_extra_info("socket").getsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY
                )
                for connection in server.server_state.connections
            ]
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_accepted_connections_have_tcp_nodelay(tmp_path: Path) -> None:
    assert await nodelay_of_accepted(NoDelayProtocol, tmp_path / "a") == [1]
    # What it corrects: uvicorn's own protocol leaves it off.
    assert await nodelay_of_accepted(H11Protocol, tmp_path / "b") == [0]


def test_the_tls_protocol_keeps_its_own_behaviour_and_gets_tcp_nodelay() -> None:
    chosen = http_options({"http": TlsH11Protocol, "ssl_certfile": "x.crt"})
    assert issubclass(chosen["http"], TlsH11Protocol)
    assert chosen["http"].connection_made is not TlsH11Protocol.connection_made
    assert chosen["ssl_certfile"] == "x.crt"
    assert issubclass(http_options({})["http"], PLAIN_HTTP)


async def test_plain_http_is_parsed_by_httptools_on_tcp_nodelay(tmp_path: Path) -> None:
    assert PLAIN_HTTP is HttpToolsProtocol
    assert await nodelay_of_accepted(http_options({})["http"], tmp_path / "c") == [1]
