"""``python -m infra kafka fetch|start|stop|status|logs``: a Kafka 4.1 single-node KRaft cluster.

Its sub-groups, as the super user: ``principal`` (infra/cli/principal.py), ``acl``
(infra/cli/acl.py) and ``topic`` (infra/cli/topic.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.cli import acl, principal, topic
from infra.cli.common import (
    DEV_KAFKA_PASSWORD,
    AdminPassword,
    AdminUser,
    Force,
    Heap,
    Home,
    KafkaPort,
    Lines,
    MavenRepo,
    Timeout,
    fetch_jars,
    reported,
    show_status,
    start_server,
    stop_server,
)
from infra.kafka import KafkaServer

__all__ = ["app"]

app = typer.Typer(help="A Kafka 4.1 single-node KRaft cluster.", no_args_is_help=True)
app.add_typer(principal.app, name="principal")
app.add_typer(acl.app, name="acl")
app.add_typer(topic.app, name="topic")

ControllerPort = Annotated[int, typer.Option(help="KRaft controller port")]


def _kafka(
    home: Path | None,
    port: int,
    controller_port: int = 9093,
    admin_user: str = "admin",
    admin_password: str = DEV_KAFKA_PASSWORD,
    heap: str = "512m",
    timeout: float = 120.0,
) -> KafkaServer:
    with reported():
        return KafkaServer(
            home,
            port,
            controller_port,
            admin_password,
            admin_user=admin_user,
            heap=heap,
            start_timeout=timeout,
            stop_timeout=timeout,
        )


@app.command("fetch")
def fetch(maven_repo: MavenRepo = None, force: Force = False) -> None:
    """Download Kafka's jars into the cache (once)."""
    fetch_jars(_kafka(None, 9092), maven_repo, force)


@app.command("start")
def start(
    port: KafkaPort = 9092,
    controller_port: ControllerPort = 9093,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    home: Home = None,
    heap: Heap = "512m",
    timeout: Timeout = 120.0,
) -> None:
    """Start Kafka (harmless when it already runs) and wait until it serves metadata."""
    server = _kafka(home, port, controller_port, admin_user, admin_password, heap, timeout)
    info = server.connection
    start_server(
        server,
        lambda: (
            f"bootstrap {info.bootstrap_servers}  {info.security_protocol} {info.mechanism}"
            f"  super user {info.user}"
        ),
    )


@app.command("stop")
def stop(port: KafkaPort = 9092, home: Home = None, timeout: Timeout = 60.0) -> None:
    """Stop Kafka: SIGTERM, SIGKILL after the timeout."""
    stop_server(_kafka(home, port, timeout=timeout))


@app.command("status")
def status(
    port: KafkaPort = 9092, controller_port: ControllerPort = 9093, home: Home = None
) -> None:
    """Say whether Kafka runs (exit 0) or not (exit 3)."""
    show_status(_kafka(home, port, controller_port).status())


@app.command("logs")
def logs(port: KafkaPort = 9092, home: Home = None, lines: Lines = 40) -> None:
    """Print the tails of Kafka's logs."""
    typer.echo(_kafka(home, port).log_tail(lines))
