"""``python -m infra``: fetch, start, stop and inspect the development servers.

    python -m infra neo4j fetch|start|stop|status|logs   [--port 7687] [--home DIR] ...
    python -m infra kafka fetch|start|stop|status|logs   [--port 9092] [--controller-port 9093]
    python -m infra kafka principal add|remove|list ...
    python -m infra kafka acl add|remove|list|producer|consumer ...
    python -m infra kafka topic create|delete|list ...

``status`` exits 0 when the server runs and 3 when it is stopped; every error exits 1 with a
message naming the offending value.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Final, NoReturn

import typer

from infra.errors import InfraError
from infra.jvm import JavaServer, ServerStatus
from infra.kafka import KafkaAdmin, KafkaConnection, KafkaServer
from infra.kafka.admin import Acl, Operation, ResourceKind
from infra.neo4j import Neo4jServer
from infra.net import HOST

__all__ = ["app"]

DEV_NEO4J_PASSWORD: Final = "mulu-dev-password"
DEV_KAFKA_PASSWORD: Final = "mulu-dev-password"
STOPPED_EXIT_CODE: Final = 3

app = typer.Typer(
    name="infra",
    help="Real Neo4j and Kafka servers on 127.0.0.1, from Maven Central jars, on Java 17.",
    no_args_is_help=True,
    add_completion=False,
)
neo4j_app = typer.Typer(help="A Neo4j Community 5.26 server.", no_args_is_help=True)
kafka_app = typer.Typer(help="A Kafka 4.1 single-node KRaft cluster.", no_args_is_help=True)
principal_app = typer.Typer(help="SCRAM-SHA-512 users (as the super user).", no_args_is_help=True)
acl_app = typer.Typer(help="ACLs (as the super user).", no_args_is_help=True)
topic_app = typer.Typer(help="Topics (as the super user).", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(kafka_app, name="kafka")
kafka_app.add_typer(principal_app, name="principal")
kafka_app.add_typer(acl_app, name="acl")
kafka_app.add_typer(topic_app, name="topic")


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@contextmanager
def _reported() -> Iterator[None]:
    try:
        yield
    except (InfraError, ValueError) as error:
        _fail(str(error))


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


def _fetch(server: JavaServer[Any], maven_repo: Path | None, force: bool) -> None:
    began = time.monotonic()
    with _reported():
        lib = server.fetch(maven_repo=maven_repo, force=force)
    jars = len(list(lib.glob("*.jar")))
    typer.echo(f"{lib} ({jars} jars, {time.monotonic() - began:.1f} s)")


def _status(status: ServerStatus) -> None:
    typer.echo(status.describe())
    if not status.running:
        raise typer.Exit(STOPPED_EXIT_CODE)


def _stop(server: JavaServer[Any]) -> None:
    began = time.monotonic()
    with _reported():
        stopped = server.stop()
    if stopped:
        typer.echo(f"stopped {server.label} in {time.monotonic() - began:.1f} s")
    else:
        typer.echo(f"{server.label} was not running")


def _start(server: JavaServer[Any], describe: Callable[[], str]) -> None:
    began = time.monotonic()
    with _reported():
        server.start()
    typer.echo(f"{server.status().describe()}\nready in {time.monotonic() - began:.1f} s")
    typer.echo(describe())


# -- neo4j ------------------------------------------------------------------------------------

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
    with _reported():
        return Neo4jServer(
            home,
            port,
            password,
            heap=heap,
            page_cache=page_cache,
            start_timeout=timeout,
            stop_timeout=timeout,
        )


@neo4j_app.command("fetch")
def neo4j_fetch(maven_repo: MavenRepo = None, force: Force = False) -> None:
    """Download Neo4j's jars into the cache (once)."""
    _fetch(_neo4j(None, 7687), maven_repo, force)


@neo4j_app.command("start")
def neo4j_start(
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
    _start(server, lambda: f"uri {info.uri}  user {info.user}")


@neo4j_app.command("stop")
def neo4j_stop(port: NeoPort = 7687, home: Home = None, timeout: Timeout = 60.0) -> None:
    """Stop Neo4j: SIGTERM, SIGKILL after the timeout."""
    _stop(_neo4j(home, port, timeout=timeout))


@neo4j_app.command("status")
def neo4j_status(port: NeoPort = 7687, home: Home = None) -> None:
    """Say whether Neo4j runs (exit 0) or not (exit 3)."""
    _status(_neo4j(home, port).status())


@neo4j_app.command("logs")
def neo4j_logs(port: NeoPort = 7687, home: Home = None, lines: Lines = 40) -> None:
    """Print the tails of Neo4j's logs."""
    typer.echo(_neo4j(home, port).log_tail(lines))


# -- kafka ------------------------------------------------------------------------------------

KafkaPort = Annotated[int, typer.Option("--port", help="client (SASL_PLAINTEXT) port")]
ControllerPort = Annotated[int, typer.Option(help="KRaft controller port")]
AdminUser = Annotated[str, typer.Option(envvar="MULU_INFRA_KAFKA_ADMIN_USER", help="super user")]
AdminPassword = Annotated[
    str,
    typer.Option(
        envvar="MULU_INFRA_KAFKA_ADMIN_PASSWORD",
        help="super user's SCRAM password, fixed when the storage is formatted",
    ),
]


def _kafka(
    home: Path | None,
    port: int,
    controller_port: int = 9093,
    admin_user: str = "admin",
    admin_password: str = DEV_KAFKA_PASSWORD,
    heap: str = "512m",
    timeout: float = 120.0,
) -> KafkaServer:
    with _reported():
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


@kafka_app.command("fetch")
def kafka_fetch(maven_repo: MavenRepo = None, force: Force = False) -> None:
    """Download Kafka's jars into the cache (once)."""
    _fetch(_kafka(None, 9092), maven_repo, force)


@kafka_app.command("start")
def kafka_start(
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
    _start(
        server,
        lambda: (
            f"bootstrap {info.bootstrap_servers}  {info.security_protocol} {info.mechanism}"
            f"  super user {info.user}"
        ),
    )


@kafka_app.command("stop")
def kafka_stop(port: KafkaPort = 9092, home: Home = None, timeout: Timeout = 60.0) -> None:
    """Stop Kafka: SIGTERM, SIGKILL after the timeout."""
    _stop(_kafka(home, port, timeout=timeout))


@kafka_app.command("status")
def kafka_status(
    port: KafkaPort = 9092, controller_port: ControllerPort = 9093, home: Home = None
) -> None:
    """Say whether Kafka runs (exit 0) or not (exit 3)."""
    _status(_kafka(home, port, controller_port).status())


@kafka_app.command("logs")
def kafka_logs(port: KafkaPort = 9092, home: Home = None, lines: Lines = 40) -> None:
    """Print the tails of Kafka's logs."""
    typer.echo(_kafka(home, port).log_tail(lines))


def _admin(port: int, admin_user: str, admin_password: str) -> KafkaAdmin:
    return KafkaAdmin(KafkaConnection(f"{HOST}:{port}", admin_user, admin_password))


@principal_app.command("add")
def principal_add(
    name: str,
    password: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Create a SCRAM-SHA-512 user, or change its password."""
    with _reported():
        _admin(port, admin_user, admin_password).add_user(name, password)
    typer.echo(f"user {name!r} has a SCRAM-SHA-512 credential")


@principal_app.command("remove")
def principal_remove(
    name: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Delete a user's SCRAM-SHA-512 credential."""
    with _reported():
        _admin(port, admin_user, admin_password).remove_user(name)
    typer.echo(f"user {name!r} removed")


@principal_app.command("list")
def principal_list(
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """List SCRAM users and their mechanisms."""
    with _reported():
        users = _admin(port, admin_user, admin_password).users()
    for user, mechanisms in sorted(users.items()):
        typer.echo(f"{user}\t{','.join(mechanisms)}")


def _acl(
    user: str,
    topic: str | None,
    group: str | None,
    transactional_id: str | None,
    cluster: bool,
    operation: str,
    prefixed: bool,
    deny: bool,
) -> Acl:
    candidates: tuple[tuple[ResourceKind, str | None], ...] = (
        ("topic", topic),
        ("group", group),
        ("transactional_id", transactional_id),
        ("cluster", "kafka-cluster" if cluster else None),
    )
    named = [(kind, value) for kind, value in candidates if value is not None]
    if len(named) != 1:
        _fail(
            "name exactly one resource: --topic T, --group G, --transactional-id X or "
            f"--cluster (got {len(named)})"
        )
    kind, value = named[0]
    op: Operation = operation.lower()  # type: ignore[assignment]  # Acl validates it
    with _reported():
        return Acl(
            user,
            kind,
            value,
            op,
            pattern="prefixed" if prefixed else "literal",
            permission="deny" if deny else "allow",
        )


AclUser = Annotated[str, typer.Option("--user", help="the principal's user name")]
TopicOpt = Annotated[str | None, typer.Option("--topic")]
GroupOpt = Annotated[str | None, typer.Option("--group")]
TxnOpt = Annotated[str | None, typer.Option("--transactional-id")]
ClusterOpt = Annotated[bool, typer.Option("--cluster", help="the cluster resource")]
OperationOpt = Annotated[
    str,
    typer.Option(
        "--operation",
        help="all, read, write, create, delete, alter, describe, cluster_action, "
        "describe_configs, alter_configs, idempotent_write",
    ),
]
PrefixedOpt = Annotated[bool, typer.Option("--prefixed", help="the name is a prefix")]
DenyOpt = Annotated[bool, typer.Option("--deny", help="a DENY rather than ALLOW ACL")]


@acl_app.command("add")
def acl_add(
    user: AclUser,
    operation: OperationOpt,
    topic: TopicOpt = None,
    group: GroupOpt = None,
    transactional_id: TxnOpt = None,
    cluster: ClusterOpt = False,
    prefixed: PrefixedOpt = False,
    deny: DenyOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Create one ACL."""
    acl = _acl(user, topic, group, transactional_id, cluster, operation, prefixed, deny)
    with _reported():
        _admin(port, admin_user, admin_password).grant(acl)
    typer.echo(f"added: {acl}")


@acl_app.command("remove")
def acl_remove(
    user: AclUser,
    operation: OperationOpt,
    topic: TopicOpt = None,
    group: GroupOpt = None,
    transactional_id: TxnOpt = None,
    cluster: ClusterOpt = False,
    prefixed: PrefixedOpt = False,
    deny: DenyOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Delete one ACL."""
    acl = _acl(user, topic, group, transactional_id, cluster, operation, prefixed, deny)
    with _reported():
        _admin(port, admin_user, admin_password).revoke(acl)
    typer.echo(f"removed: {acl}")


@acl_app.command("list")
def acl_list(
    user: Annotated[str | None, typer.Option("--user")] = None,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """List ACLs, of every user or of one."""
    with _reported():
        acls = _admin(port, admin_user, admin_password).acls(user)
    for acl in sorted(acls, key=str):
        typer.echo(str(acl))


@acl_app.command("producer")
def acl_producer(
    user: str,
    topic: str,
    prefixed: PrefixedOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Let USER produce to TOPIC (WRITE, DESCRIBE)."""
    with _reported():
        _admin(port, admin_user, admin_password).grant_producer(
            user, topic, pattern="prefixed" if prefixed else "literal"
        )
    typer.echo(f"{user!r} may produce to {topic!r}")


@acl_app.command("consumer")
def acl_consumer(
    user: str,
    topic: str,
    group: str,
    prefixed: PrefixedOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Let USER consume TOPIC in consumer group GROUP (READ, DESCRIBE; group READ)."""
    with _reported():
        _admin(port, admin_user, admin_password).grant_consumer(
            user, topic, group, pattern="prefixed" if prefixed else "literal"
        )
    typer.echo(f"{user!r} may consume {topic!r} in group {group!r}")


@topic_app.command("create")
def topic_create(
    name: str,
    partitions: Annotated[int, typer.Option(min=1)] = 1,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Create a topic (replication factor 1); an existing one is left alone."""
    with _reported():
        _admin(port, admin_user, admin_password).create_topic(name, partitions=partitions)
    typer.echo(f"topic {name!r} exists")


@topic_app.command("delete")
def topic_delete(
    name: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """Delete a topic."""
    with _reported():
        _admin(port, admin_user, admin_password).delete_topic(name)
    typer.echo(f"topic {name!r} deleted")


@topic_app.command("list")
def topic_list(
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
) -> None:
    """List topics (internal ones excepted)."""
    with _reported():
        topics = _admin(port, admin_user, admin_password).topics()
    for name in topics:
        typer.echo(name)


def main() -> None:
    app(prog_name=f"{Path(sys.executable).name} -m infra")
