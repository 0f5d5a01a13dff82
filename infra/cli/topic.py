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


def _configs(pairs: list[str], compact: bool) -> dict[str, str]:
    """``--config key=value`` pairs (and ``--compact``) as a topic config."""
    config: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(
                f"--config {pair!r} is not key=value; give e.g. --config cleanup.policy=compact"
            )
        config[key.strip()] = value.strip()
    if compact:
        if config.get("cleanup.policy", "compact") != "compact":
            raise ValueError(
                f"--compact and --config cleanup.policy={config['cleanup.policy']} disagree"
            )
        config["cleanup.policy"] = "compact"
    return config


@app.command("create")
def create(
    name: str,
    partitions: Annotated[int, typer.Option(min=1)] = 1,
    replication_factor: Annotated[
        int | None, typer.Option(min=1, help="copies; default the cluster's own default")
    ] = None,
    compact: Annotated[bool, typer.Option(help="cleanup.policy=compact (as link topics)")] = False,
    config: Annotated[
        list[str] | None,
        typer.Option(help="topic config key=value, again for more (min.insync.replicas=2)"),
    ] = None,
    port: KafkaPort = 9092,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    ca_file: CaFile = None,
) -> None:
    """Create a topic; an existing one is left alone (and shown as it is)."""
    with reported():
        configs = _configs(config or [], compact)
        admin = kafka_admin(port, admin_user, admin_password, ca_file)
        admin.create_topic(
            name, partitions=partitions, config=configs, replication_factor=replication_factor
        )
        state = admin.describe_topics([name])[name]
    settings = ", ".join(f"{k}={v}" for k, v in sorted(state.config.items())) or "defaults"
    typer.echo(
        f"topic {name!r} exists: {state.partitions} partition(s), {state.replicas} replica(s) "
        f"({state.in_sync} in sync); {settings}"
    )


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
