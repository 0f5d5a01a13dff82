"""``python -m infra kafka acl add|remove|list|producer|consumer``: ACLs, as the super user.

``add`` and ``remove`` name exactly one resource (``--topic``, ``--group``,
``--transactional-id`` or ``--cluster``); ``producer`` and ``consumer`` grant what a producer or
a consumer in a group needs, as `KafkaAdmin.grant_producer`/`grant_consumer` do.
"""

from __future__ import annotations

from typing import Annotated

import typer

from infra.cli.common import (
    DEV_KAFKA_PASSWORD,
    AdminPassword,
    AdminUser,
    CaFile,
    KafkaPort,
    fail,
    kafka_admin,
    reported,
)
from infra.kafka.admin import Acl, Operation, ResourceKind

__all__ = ["app"]

app = typer.Typer(help="ACLs (as the super user).", no_args_is_help=True)


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
        fail(
            "name exactly one resource: --topic T, --group G, --transactional-id X or "
            f"--cluster (got {len(named)})"
        )
    kind, value = named[0]
    op: Operation = operation.lower()  # type: ignore[assignment]  # Acl validates it
    with reported():
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


@app.command("add")
def add(
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
    ca_file: CaFile = None,
) -> None:
    """Create one ACL."""
    acl = _acl(user, topic, group, transactional_id, cluster, operation, prefixed, deny)
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).grant(acl)
    typer.echo(f"added: {acl}")


@app.command("remove")
def remove(
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
    ca_file: CaFile = None,
) -> None:
    """Delete one ACL."""
    acl = _acl(user, topic, group, transactional_id, cluster, operation, prefixed, deny)
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).revoke(acl)
    typer.echo(f"removed: {acl}")


@app.command("list")
def list_acls(
    user: Annotated[str | None, typer.Option("--user")] = None,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """List ACLs, of every user or of one."""
    with reported():
        acls = kafka_admin(port, admin_user, admin_password, ca_file).acls(user)
    for acl in sorted(acls, key=str):
        typer.echo(str(acl))


@app.command("producer")
def producer(
    user: str,
    topic: str,
    prefixed: PrefixedOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Let USER produce to TOPIC (WRITE, DESCRIBE)."""
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).grant_producer(
            user, topic, pattern="prefixed" if prefixed else "literal"
        )
    typer.echo(f"{user!r} may produce to {topic!r}")


@app.command("consumer")
def consumer(
    user: str,
    topic: str,
    group: str,
    prefixed: PrefixedOpt = False,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Let USER consume TOPIC in consumer group GROUP (READ, DESCRIBE; group READ)."""
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).grant_consumer(
            user, topic, group, pattern="prefixed" if prefixed else "literal"
        )
    typer.echo(f"{user!r} may consume {topic!r} in group {group!r}")
