"""``python -m infra kafka fetch|start|stop|status|logs``: a Kafka 4.1 single-node KRaft cluster.

Its sub-groups, as the super user: ``principal`` (infra/cli/principal.py), ``acl``
(infra/cli/acl.py) and ``topic`` (infra/cli/topic.py); each takes ``--ca-file`` to speak to
a SASL_SSL listener. ``cluster`` (infra/cli/cluster.py) runs three nodes instead of one.

``start --tls-cert C --tls-key K --tls-ca CA`` makes the client listener SASL_SSL with those
PEM files; ``--tls-self`` makes (once) a development CA and a certificate for 127.0.0.1 and
localhost under ``<home>/tls``. Without either it is SASL_PLAINTEXT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from infra.cli import acl, cluster, principal, topic
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
    fail,
    fetch_jars,
    reported,
    show_status,
    start_server,
    stop_server,
)
from infra.kafka import KafkaServer
from infra.kafka.tls import KafkaTls, self_signed_tls

__all__ = ["app"]

app = typer.Typer(help="A Kafka 4.1 single-node KRaft cluster.", no_args_is_help=True)
app.add_typer(principal.app, name="principal")
app.add_typer(acl.app, name="acl")
app.add_typer(topic.app, name="topic")
app.add_typer(cluster.app, name="cluster")

ControllerPort = Annotated[int, typer.Option(help="KRaft controller port")]
TlsFile = Annotated[Path | None, typer.Option(help="PEM file; all three --tls-* make SASL_SSL")]
TlsSelf = Annotated[
    bool,
    typer.Option(
        help="SASL_SSL with a development CA and certificate (127.0.0.1, localhost) made once "
        "under <home>/tls; clients trust <home>/tls/ca.crt"
    ),
]


def _tls(
    cert: Path | None, key: Path | None, ca: Path | None, self_signed: bool, home: Path
) -> KafkaTls | None:
    given = [n for n, v in (("--tls-cert", cert), ("--tls-key", key), ("--tls-ca", ca)) if v]
    if self_signed and given:
        fail(f"--tls-self makes its own certificate; drop {', '.join(given)} or --tls-self")
    if self_signed:
        with reported():
            return self_signed_tls(home / "tls")
    if not given:
        return None
    if cert is None or key is None or ca is None:
        fail(f"give --tls-cert, --tls-key and --tls-ca together (got {', '.join(given)})")
    with reported():
        return KafkaTls(cert=cert, key=key, ca=ca)


def _kafka(
    home: Path | None,
    port: int,
    controller_port: int = 9093,
    admin_user: str = "admin",
    admin_password: str = DEV_KAFKA_PASSWORD,
    heap: str = "512m",
    timeout: float = 120.0,
    tls: KafkaTls | None = None,
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
            tls=tls,
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
    tls_cert: TlsFile = None,
    tls_key: TlsFile = None,
    tls_ca: TlsFile = None,
    tls_self: TlsSelf = False,
) -> None:
    """Start Kafka (harmless when it already runs) and wait until it serves metadata."""
    where = _kafka(home, port).home
    tls = _tls(tls_cert, tls_key, tls_ca, tls_self, where)
    server = _kafka(home, port, controller_port, admin_user, admin_password, heap, timeout, tls)
    info = server.connection
    trust = "" if info.ssl_cafile is None else f"  CA {info.ssl_cafile} (--ca-file)"
    start_server(
        server,
        lambda: (
            f"bootstrap {info.bootstrap_servers}  {info.security_protocol} {info.mechanism}"
            f"  super user {info.user}{trust}"
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
