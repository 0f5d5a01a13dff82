"""``python -m infra kafka topic create|delete|list``: topics, as the super user."""

from __future__ import annotations

from typing import Annotated

import typer

from infra.cli.common import (
    DEV_KAFKA_PASSWORD,
    AdminPassword,
    AdminUser,
    CaFile,
    KafkaPort,
    kafka_admin,
    reported,
)

__all__ = ["app"]

app = typer.Typer(help="Topics (as the super user).", no_args_is_help=True)


@app.command("create")
def create(
    name: str,
    partitions: Annotated[int, typer.Option(min=1)] = 1,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Create a topic (replication factor 1); an existing one is left alone."""
    with reported():
        admin = kafka_admin(port, admin_user, admin_password, ca_file)
        admin.create_topic(name, partitions=partitions)
    typer.echo(f"topic {name!r} exists")


@app.command("delete")
def delete(
    name: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Delete a topic."""
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).delete_topic(name)
    typer.echo(f"topic {name!r} deleted")


@app.command("list")
def list_topics(
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """List topics (internal ones excepted)."""
    with reported():
        topics = kafka_admin(port, admin_user, admin_password, ca_file).topics()
    for name in topics:
        typer.echo(name)
