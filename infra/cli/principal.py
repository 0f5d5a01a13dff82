"""``python -m infra kafka principal add|remove|list``: SCRAM-SHA-512 users, as the super user."""

from __future__ import annotations

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

app = typer.Typer(help="SCRAM-SHA-512 users (as the super user).", no_args_is_help=True)


@app.command("add")
def add(
    name: str,
    password: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Create a SCRAM-SHA-512 user, or change its password."""
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).add_user(name, password)
    typer.echo(f"user {name!r} has a SCRAM-SHA-512 credential")


@app.command("remove")
def remove(
    name: str,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Delete a user's SCRAM-SHA-512 credential."""
    with reported():
        kafka_admin(port, admin_user, admin_password, ca_file).remove_user(name)
    typer.echo(f"user {name!r} removed")


@app.command("list")
def list_users(
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """List SCRAM users and their mechanisms."""
    with reported():
        users = kafka_admin(port, admin_user, admin_password, ca_file).users()
    for user, mechanisms in sorted(users.items()):
        typer.echo(f"{user}\t{','.join(mechanisms)}")
