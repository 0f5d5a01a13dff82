"""Requests on a kept-alive connection, with and without TCP_NODELAY on the server's side.

An instance's server (`mulu serve`, `mulu up`) answers on uvicorn's HTTP/1.1 protocol, which
writes a response's head and body apart; asyncio leaves Nagle's algorithm on for accepted
connections, so on a kept-alive connection the body can wait for the client's delayed ACK.
`federation.runtime.nodelay` sets TCP_NODELAY on each connection. This serves one
embedded instance in this process with each protocol in turn and times sequential GraphQL
requests over one kept-alive connection and over a new connection each.

    python bench/keepalive_bench.py [--requests 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from federation.app import create_app
from federation.runtime import NoDelayProtocol
from federation.settings import Settings

QUERY = {"query": "{ catalogs { id name } }"}


def serve(protocol: type[Any], data_dir: Path) -> tuple[uvicorn.Server, threading.Thread, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(Settings(data_dir=data_dir))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", http=protocol)
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, port


def timed(requests: int, port: int, kept: bool) -> list[float]:
    url = f"http://127.0.0.1:{port}/graphql"
    times = []
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(httpx.Client(timeout=10)) if kept else None
        for _ in range(requests):
            began = time.perf_counter()
            if client is None:
                with httpx.Client(timeout=10) as fresh:
                    fresh.post(url, json=QUERY).raise_for_status()
            else:
                client.post(url, json=QUERY).raise_for_status()
            times.append((time.perf_counter() - began) * 1000)
    return times[5:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(options.rounds):
            for name, protocol in (("Nagle on", H11Protocol), ("TCP_NODELAY", NoDelayProtocol)):
                server, thread, port = serve(protocol, Path(tmp) / f"{name}-{round_}")
                try:
                    for kept in (True, False):
                        key = "kept-alive" if kept else "new connection"
                        got = timed(options.requests, port, kept)
                        results.setdefault(name, {}).setdefault(key, []).extend(got)
                finally:
                    server.should_exit = True
                    thread.join()
    for name, by_kind in results.items():
        for kind, times in by_kind.items():
            ordered = sorted(times)
            print(
                f"{name:12} {kind:15} median {statistics.median(ordered):6.2f} ms  "
                f"p90 {ordered[int(len(ordered) * 0.9)]:6.2f} ms  ({len(ordered)} requests)"
            )


if __name__ == "__main__":
    main()
