"""``python -m infra neo4j fetch|start|stop|status|logs``: a Neo4j Community 5.26 server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from infra.cli.common import (
    Force,
    Heap,
    Home,
    Lines,
    MavenRepo,
    Timeout,
    fetch_jars,
    reported,
    show_status,
    start_server,
    stop_server,
)
from infra.neo4j import Neo4jServer

__all__ = ["app"]

DEV_NEO4J_PASSWORD: Final = "mulu-dev-password"

app = typer.Typer(help="A Neo4j Community 5.26 server.", no_args_is_help=True)

NeoPort = Annotated[int, typer.Option("--port", help="Bolt port on 127.0.0.1")]
NeoPassword = Annotated[
    str,
    typer.Option(
        envvar="MULU_INFRA_NEO4J_PASSWORD",
        help="password of user neo4j, set before the first start only",
    ),
]


def _neo4j(
    home: Path | None,
    port: int,
    password: str = DEV_NEO4J_PASSWORD,
    heap: str = "512m",
    page_cache: str = "256m",
    timeout: float = 120.0,
) -> Neo4jServer:
    with reported():
        return Neo4jServer(
            home,
            port,
            password,
            heap=heap,
            page_cache=page_cache,
            start_timeout=timeout,
            stop_timeout=timeout,
        )


@app.command("fetch")
def fetch(maven_repo: MavenRepo = None, force: Force = False) -> None:
    """Download Neo4j's jars into the cache (once)."""
    fetch_jars(_neo4j(None, 7687), maven_repo, force)


@app.command("start")
def start(
    port: NeoPort = 7687,
    password: NeoPassword = DEV_NEO4J_PASSWORD,
    home: Home = None,
    heap: Heap = "512m",
    page_cache: Annotated[str, typer.Option(help="page cache size")] = "256m",
    timeout: Timeout = 120.0,
) -> None:
    """Start Neo4j (harmless when it already runs) and wait until Bolt answers."""
    server = _neo4j(home, port, password, heap, page_cache, timeout)
    info = server.connection
    start_server(server, lambda: f"uri {info.uri}  user {info.user}")


@app.command("stop")
def stop(port: NeoPort = 7687, home: Home = None, timeout: Timeout = 60.0) -> None:
    """Stop Neo4j: SIGTERM, SIGKILL after the timeout."""
    stop_server(_neo4j(home, port, timeout=timeout))


@app.command("status")
def status(port: NeoPort = 7687, home: Home = None) -> None:
    """Say whether Neo4j runs (exit 0) or not (exit 3)."""
    show_status(_neo4j(home, port).status())


@app.command("logs")
def logs(port: NeoPort = 7687, home: Home = None, lines: Lines = 40) -> None:
    """Print the tails of Neo4j's logs."""
    typer.echo(_neo4j(home, port).log_tail(lines))
