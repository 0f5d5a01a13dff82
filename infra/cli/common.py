"""What the command groups share: options, defaults, and how results and errors are shown.

An error the servers refuse with (`InfraError`, `ValueError`) is printed in red and exits 1;
``status`` exits `STOPPED_EXIT_CODE` when the server is stopped.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer
from confluent_kafka import KafkaException

from infra.errors import InfraError
from infra.jvm import JavaServer, ServerStatus
from infra.kafka import KafkaAdmin, KafkaConnection
from infra.kafka.connection import check_kafka
from infra.net import HOST

__all__ = [
    "DEV_KAFKA_PASSWORD",
    "STOPPED_EXIT_CODE",
    "AdminPassword",
    "AdminUser",
    "CaFile",
    "Force",
    "Heap",
    "Home",
    "KafkaPort",
    "Lines",
    "MavenRepo",
    "Timeout",
    "fail",
    "fetch_jars",
    "kafka_admin",
    "reported",
    "show_status",
    "start_server",
    "stop_server",
]

DEV_KAFKA_PASSWORD: Final = "mulu-dev-password"
STOPPED_EXIT_CODE: Final = 3


def fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@contextmanager
def reported() -> Iterator[None]:
    try:
        yield
    except (InfraError, ValueError) as error:
        fail(str(error))


Home = Annotated[
    Path | None,
    typer.Option(help="server home (config, data, logs); default <state>/<server>-<port>"),
]
MavenRepo = Annotated[
    Path | None,
    typer.Option(
        help="Maven local repository to use (-Dmaven.repo.local), e.g. to time a cold fetch"
    ),
]
Force = Annotated[bool, typer.Option(help="fetch again even if the cache is complete")]
Heap = Annotated[str, typer.Option(help="JVM heap (-Xms and -Xmx)")]
Timeout = Annotated[float, typer.Option(help="seconds to wait for readiness / shutdown")]
Lines = Annotated[int, typer.Option("--lines", "-n", help="lines per log")]


def fetch_jars(server: JavaServer[Any], maven_repo: Path | None, force: bool) -> None:
    began = time.monotonic()
    with reported():
        lib = server.fetch(maven_repo=maven_repo, force=force)
    jars = len(list(lib.glob("*.jar")))
    typer.echo(f"{lib} ({jars} jars, {time.monotonic() - began:.1f} s)")


def show_status(status: ServerStatus) -> None:
    typer.echo(status.describe())
    if not status.running:
        raise typer.Exit(STOPPED_EXIT_CODE)


def stop_server(server: JavaServer[Any]) -> None:
    began = time.monotonic()
    with reported():
        stopped = server.stop()
    if stopped:
        typer.echo(f"stopped {server.label} in {time.monotonic() - began:.1f} s")
    else:
        typer.echo(f"{server.label} was not running")


def start_server(server: JavaServer[Any], describe: Callable[[], str]) -> None:
    began = time.monotonic()
    with reported():
        server.start()
    typer.echo(f"{server.status().describe()}\nready in {time.monotonic() - began:.1f} s")
    typer.echo(describe())


# -- the super user every Kafka group talks to the broker as ----------------------------------

KafkaPort = Annotated[int, typer.Option("--port", help="client (SASL_PLAINTEXT or SASL_SSL) port")]
AdminUser = Annotated[str, typer.Option(envvar="MULU_INFRA_KAFKA_ADMIN_USER", help="super user")]
AdminPassword = Annotated[
    str,
    typer.Option(
        envvar="MULU_INFRA_KAFKA_ADMIN_PASSWORD",
        help="super user's SCRAM password, fixed when the storage is formatted",
    ),
]


CaFile = Annotated[
    Path | None,
    typer.Option(
        "--ca-file",
        envvar="MULU_INFRA_KAFKA_CAFILE",
        help="CA bundle (PEM) the broker's certificate is verified with: the client listener "
        "is SASL_SSL (as `start --tls-*` makes it); without it, SASL_PLAINTEXT",
    ),
]


def _speaks_tls(port: int) -> bool:
    """Whether 127.0.0.1:`port` completes a TLS handshake (its certificate not checked)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((HOST, port), timeout=2.0) as raw,
            context.wrap_socket(raw, server_hostname=HOST),
        ):
            return True
    except OSError:  # ssl.SSLError too
        return False


def kafka_admin(
    port: int, admin_user: str, admin_password: str, ca_file: Path | None = None
) -> KafkaAdmin:
    """The super user's admin client, once the broker answered it: a refused password
    (`KafkaAuthenticationError`) or certificate (`KafkaTlsError`) is said at once."""
    connection = KafkaConnection(f"{HOST}:{port}", admin_user, admin_password)
    if ca_file is not None:
        if not ca_file.is_file():
            fail(f"--ca-file {ca_file} is not a file; give the CA bundle (PEM) of the broker")
        connection = replace(
            connection,
            security_protocol="SASL_SSL",
            ssl_cafile=str(ca_file.expanduser().absolute()),
        )
    try:
        check_kafka(connection, timeout=10.0)
    except KafkaException as exc:
        if ca_file is None and _speaks_tls(port):
            fail(
                f"Kafka's client listener at {connection.bootstrap_servers} is SASL_SSL: give "
                "--ca-file with the CA bundle of its certificate (with --tls-self: "
                "<home>/tls/ca.crt)"
            )
        fail(
            f"Kafka at {connection.bootstrap_servers} did not answer {admin_user!r} over "
            f"{connection.security_protocol} ({exc.args[0] if exc.args else exc}); is it "
            "running, and is its client listener SASL_SSL (then give --ca-file)?"
        )
    return KafkaAdmin(connection)
