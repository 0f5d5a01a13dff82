"""Benchmark of HTTPS with client certificates beside plain HTTP: one mulu instance, one run.

One process serves one instance (成都 intranet, the embedded store with about ``--size`` sample
entries — no Neo4j needed, so the requests are cheap and TLS's share shows) on two ports at
once: plain HTTP, and HTTPS with its instance certificate from a platform CA made for the run
(client certificates of that CA asked for and verified, the CRL loaded). The same app, the
same opened instance and store answer both; only the connection differs. Then, from this
process:

1. **keep-alive**: ``--concurrency`` requests in flight for ``--duration`` seconds on
   graphql_bench's query mix (search + page, resource detail, lineage depth 3, catalog tree;
   arguments drawn from the entries the instance holds), alternately over HTTP and over HTTPS
   presenting a department certificate, ``--rounds`` times each; printed per round and as
   medians: req/s, p50/p99 latency, the server's CPU ms per request, and the ratio HTTPS/HTTP
   (the goal: at least 0.9 of the throughput);
2. **new connections**: the same, every request on a new connection (a new TCP connection,
   and over HTTPS a new handshake with the client certificate): req/s and the ratio;
3. **handshakes**: bare TLS handshakes with the client certificate (connect, handshake,
   close) per second, ``--concurrency`` at once, beside bare TCP connections per second.

    python bench/https_bench.py                         # about 2 minutes
    python bench/https_bench.py --size 2000 --duration 5 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from graphql_bench import (
    KINDS,
    Request,
    Run,
    cpu_seconds,
    interleaved,
    load,
    load_average,
    mulu_payload,
    percentile,
)

from graph.sample import SampleCatalog
from graph.search.tokens import tokens

INSTANCE = "510100/intranet"
DEPARTMENT = "11510100MB00000110"  # the load generator's client certificate
HOST = "127.0.0.1"
READY = "https_bench: serving"

# -- the server: one app, one opened instance, two listeners ----------------------------------


async def serve(args: argparse.Namespace) -> None:
    """Serve the instance on `args.plain_port` (HTTP) and `args.tls_port` (HTTPS) from one
    opened instance: its lifespan is entered once, and both servers hand its state on."""
    import uvicorn

    from federation.app import create_app
    from federation.identity.tls import HandshakeRefusals, uvicorn_options
    from federation.instance import open_instance
    from federation.logging import configure_logging
    from federation.sample import load_instance_sample
    from federation.settings import Settings, TlsSettings
    from graph import CatalogStore

    configure_logging("WARNING")
    pki = Path(args.pki)
    stem = pki / "instances" / INSTANCE.replace("/", "-")
    tls = TlsSettings(
        cert=stem.with_suffix(".crt"),
        key=stem.with_suffix(".key"),
        client_ca=pki / "ca.crt",
        crl=pki / "crl.pem",
    )
    settings = Settings(data_dir=Path(args.data), instance=INSTANCE, log_level="WARNING", tls=tls)

    async def sample(store: CatalogStore) -> None:
        await load_instance_sample(store, args.size)

    refusals = HandshakeRefusals()  # as `mulu serve` has it: refused handshakes audited
    app = create_app(
        settings, lambda: open_instance(settings, prepare=sample), handshake_refusals=refusals
    )
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = dict(state or {})  # as uvicorn does with a lifespan's state
            await app(scope, receive, send)

        common: dict[str, Any] = {"host": HOST, "lifespan": "off", "log_config": None}
        common["access_log"] = False
        plain = uvicorn.Config(with_state, port=args.plain_port, proxy_headers=False, **common)
        options = uvicorn_options(tls, refusals)
        secure = uvicorn.Config(with_state, port=args.tls_port, **common, **options)
        servers = [uvicorn.Server(plain), uvicorn.Server(secure)]
        tasks = [asyncio.create_task(s.serve()) for s in servers]
        while not all(s.started for s in servers):
            for task in tasks:
                if task.done():
                    task.result()
                    raise RuntimeError("a server stopped while starting")
            await asyncio.sleep(0.05)
        print(READY, flush=True)
        await asyncio.gather(*tasks)


# -- the load ---------------------------------------------------------------------------------


def instance_plan(sample: SampleCatalog, seed: int, count: int = 4000) -> list[Request]:
    """graphql_bench's mix, its arguments drawn from the published entries this instance holds
    (its catalog and those below it)."""
    rng = random.Random(seed)
    published = [
        e
        for catalog in sample.subtree(INSTANCE)
        for e in sample.resources_for(catalog)
        if e.state.value == "PUBLISHED"
    ]
    words = sorted({t for e in published for t in tokens(e.name) if len(t) == 2})
    codes = [e.code for e in published]
    held = set(codes)
    derived = (
        sorted(
            {e.code for e in published if e.derived_from}
            | {s for e in published for s in e.derived_from if s in held}
        )
        or codes
    )
    return interleaved(
        {
            "search": [Request("search", {"word": rng.choice(words)}) for _ in range(count)],
            "detail": [Request("detail", {"code": rng.choice(codes)}) for _ in range(count)],
            "lineage": [Request("lineage", {"code": rng.choice(derived)}) for _ in range(count)],
            "tree": [Request("tree", {}) for _ in range(count)],
        }
    )


@dataclass(frozen=True, slots=True)
class Round:
    protocol: str
    run: Run

    @property
    def per_second(self) -> float:
        return self.run.count / self.run.seconds

    def cpu_ms(self, process: str = "mulu") -> float:
        return 1000 * self.run.cpu.get(process, 0.0) / max(self.run.count, 1)


def client_context(pki: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=pki / "ca.crt")
    department = pki / "departments" / DEPARTMENT
    context.load_cert_chain(department.with_suffix(".crt"), department.with_suffix(".key"))
    return context


async def rounds(
    clients: Mapping[str, Callable[[], httpx.AsyncClient]],
    requests: list[Request],
    args: argparse.Namespace,
    server: int,
) -> list[Round]:
    """`args.rounds` runs of each protocol, alternating, each on a client of its own."""
    done: list[Round] = []
    for _ in range(args.rounds):
        for protocol, make in clients.items():
            async with make() as client:
                run = await load(
                    client,
                    mulu_payload,
                    requests,
                    args.concurrency,
                    args.duration,
                    {"mulu": server, "load generator": os.getpid()},
                )
            if run.errors:
                raise RuntimeError(f"{protocol}: {run.errors} errors, first: {run.first_error}")
            done.append(Round(protocol, run))
    return done


def report(title: str, done: list[Round]) -> None:
    print(f"\n{title} (load average {load_average()})")
    print(
        f"  {'round':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req: mulu':>18}"
        f"{'load gen':>10}{'conns':>7}"
    )
    for n, item in enumerate(done):
        latencies = item.run.all_latencies()
        print(
            f"  {item.protocol:<6}{n // 2 + 1:<2}{item.per_second:>9.1f}"
            f"{percentile(latencies, 0.5):>9.1f}{percentile(latencies, 0.99):>9.1f}"
            f"{item.cpu_ms():>18.2f}{item.cpu_ms('load generator'):>10.2f}"
            f"{item.run.connections:>7}"
        )
    medians: dict[str, tuple[float, float, float]] = {}
    for protocol in ("http", "https"):
        mine = [r for r in done if r.protocol == protocol]
        medians[protocol] = (
            statistics.median(r.per_second for r in mine),
            statistics.median(percentile(r.run.all_latencies(), 0.5) for r in mine),
            statistics.median(r.cpu_ms() for r in mine),
        )
        rate, p50, cpu = medians[protocol]
        print(f"  median {protocol:<6}{rate:>8.1f} req/s, p50 {p50:.1f} ms, CPU {cpu:.2f} ms/req")
    ratio = medians["https"][0] / medians["http"][0]
    print(f"  throughput HTTPS / HTTP: {ratio:.2f} (goal ≥ 0.90)")


async def connections_per_second(
    port: int, context: ssl.SSLContext | None, concurrency: int, seconds: float, server: int
) -> tuple[float, float]:
    """Bare connections opened and closed per second — over TLS, each a full handshake with
    the client certificate — and the server's CPU ms per connection."""
    count = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            _, writer = await asyncio.open_connection(
                HOST, port, ssl=context, server_hostname=HOST if context else None
            )
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()
            count += 1

    cpu = cpu_seconds(server)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return count / elapsed, 1000 * (cpu_seconds(server) - cpu) / max(count, 1)


@dataclass(frozen=True, slots=True)
class Served:
    """The server process and what the load generator needs to reach it."""

    process: subprocess.Popen[bytes]
    plain_port: int
    tls_port: int
    pki: Path


def start_server(root: Path, args: argparse.Namespace) -> Served:
    """The platform CA of the run, then the server process; returns once it serves."""
    from federation.identity import PlatformCA
    from infra.net import free_ports

    ca = PlatformCA.init(root / "pki")
    ca.issue_instance(INSTANCE)
    ca.issue_department(DEPARTMENT, name="成都市测试局")
    plain_port, tls_port = free_ports(2)
    log = root / "serve.log"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--serve",
        f"--plain-port={plain_port}",
        f"--tls-port={tls_port}",
        f"--pki={root / 'pki'}",
        f"--data={root / 'data'}",
        f"--size={args.size}",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while READY not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return Served(process, plain_port, tls_port, root / "pki")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def bench(args: argparse.Namespace, served: Served) -> None:
    from federation.sample import sample_for

    context = client_context(served.pki)
    requests = instance_plan(sample_for(INSTANCE, args.size), args.seed)
    limits = httpx.Limits(max_connections=args.concurrency)
    fresh = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=0)
    timeout = httpx.Timeout(30)
    pid = served.process.pid

    def client(port: int, limit: httpx.Limits, verify: Any = None) -> httpx.AsyncClient:
        scheme = "http" if verify is None else "https"
        return httpx.AsyncClient(
            base_url=f"{scheme}://{HOST}:{port}",
            verify=True if verify is None else verify,
            limits=limit,
            timeout=timeout,
        )

    kept = {
        "http": lambda: client(served.plain_port, limits),
        "https": lambda: client(served.tls_port, limits, context),
    }
    for make in kept.values():  # warm-up: caches, the first documents validated
        async with make() as http:
            await load(http, mulu_payload, requests, args.concurrency, args.warmup, {})
    report(
        f"Keep-alive, {args.concurrency} in flight, {args.duration:g} s per round, "
        f"the mix ({', '.join(KINDS)})",
        await rounds(kept, requests, args, pid),
    )
    new = {
        "http": lambda: client(served.plain_port, fresh),
        "https": lambda: client(served.tls_port, fresh, context),
    }
    report(
        "A new connection per request (over HTTPS a new handshake with the client "
        f"certificate), {args.concurrency} in flight",
        await rounds(new, requests, args, pid),
    )
    print(f"\nBare connections, {args.concurrency} at once, {args.duration:g} s each")
    for _ in range(args.rounds):
        tcp, tcp_cpu = await connections_per_second(
            served.plain_port, None, args.concurrency, args.duration, pid
        )
        tls, tls_cpu = await connections_per_second(
            served.tls_port, context, args.concurrency, args.duration, pid
        )
        print(
            f"  TCP connections/s {tcp:>7.0f} (mulu CPU {tcp_cpu:.2f} ms each)   "
            f"TLS handshakes/s {tls:>6.0f} (mulu CPU {tls_cpu:.2f} ms each)"
        )
    print(f"\nload average at the end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="sample entries (about)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per protocol")
    parser.add_argument("--warmup", type=float, default=3.0)
    # The server side (run by the benchmark itself).
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plain-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tls-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--pki", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args))
        return
    root = Path(tempfile.mkdtemp(prefix="mulu-https-bench-"))
    print(f"https_bench: {INSTANCE}, about {args.size} entries, load average {load_average()}")
    served = start_server(root, args)
    try:
        asyncio.run(bench(args, served))
    finally:
        stop(served.process)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
