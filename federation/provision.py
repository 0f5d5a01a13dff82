"""A topology's Kafka side, made and shown: ``mulu kafka provision|show TOPOLOGY``.

What a topology needs on its cluster follows from its links alone (`sync.acls.needs`): one
SCRAM principal per instance that ends a link (``mulu-510100-intranet``), three topics per link
(its own and its urgent lane compacted, its dead letters not), each with the cluster's
replication (`sync.topics.replication`: three copies, two in sync, on three brokers or more),
and the grants that hold each principal to its links (DESIGN "Instances and sync", point 6).

- `provision` creates what is missing and leaves what exists: run again, it changes nothing
  but the principals' passwords, which it sets to those of the environment
  (``MULU_KAFKA_PASSWORD_<ID>``, the variables `mulu up` reads them from). A topic that exists
  keeps its replication and config; `survey` says where it differs from what the topology
  needs.
- `survey` compares the cluster with the topology's needs: each principal, topic and grant
  present, missing, or (a topic) different.

Both speak to the cluster as its super user: the settings' ``kafka`` section says where it
is (bootstrap, SASL_SSL and CA); ``--admin-user``/``--admin-password`` (or
``MULU_KAFKA_ADMIN_USER``/``MULU_KAFKA_ADMIN_PASSWORD``) who, else the settings' own user.

    $ mulu kafka provision topologies/demo.toml      # idempotent
    $ mulu kafka show topologies/demo.toml           # exit 0 complete, 3 something missing
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from federation.options import ConfigOption, settings_from
from federation.settings import Settings
from federation.topology import Topology, TopologyError
from sync.acls import Grant, needs, provision_links
from sync.errors import InvalidLink
from sync.topics import replication

if TYPE_CHECKING:
    from infra.kafka import KafkaAdmin

__all__ = ["Survey", "instance_passwords", "kafka", "provision", "survey"]

INCOMPLETE_EXIT_CODE = 3
SHOWN = 8  # names listed in an error before "and N more"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown if len(names) <= SHOWN else f"{shown} and {len(names) - SHOWN} more"


def instance_passwords(topology: Topology, environ: Mapping[str, str]) -> dict[str, str]:
    """Each link end's Kafka password, from ``MULU_KAFKA_PASSWORD_<ID>``; TopologyError
    naming the variables that are unset."""
    from federation.instance import instance_password_env

    ends = sorted({end for link in topology.links for end in (link.source, link.target)})
    missing = [
        instance_password_env(end) for end in ends if not environ.get(instance_password_env(end))
    ]
    if missing:
        raise TopologyError(
            f"{len(missing)} instance(s) have no Kafka password: set {_listed(missing)} "
            "(8 characters or more each)"
        )
    return {end: environ[instance_password_env(end)] for end in ends}


def admin_of(settings: Settings, user: str | None, password: str | None) -> KafkaAdmin:
    """The cluster's admin client as its super user (`user`/`password`, else the settings')."""
    from infra.kafka import KafkaAdmin, KafkaConnection

    kafka = settings.kafka
    connection = KafkaConnection(
        kafka.bootstrap_servers,
        user or kafka.user,
        password or kafka.password.get_secret_value(),
        mechanism=kafka.mechanism,
        security_protocol=kafka.security_protocol,
        ssl_cafile=None if kafka.ssl_cafile is None else str(kafka.ssl_cafile),
    )
    return KafkaAdmin(connection)


def check_admin(admin: KafkaAdmin) -> None:
    """One request as the super user: a refused password or certificate, or a cluster that
    does not answer, is an `InfraError` in one line naming the cause."""
    from confluent_kafka import KafkaException

    from infra.errors import InfraError
    from infra.kafka.connection import check_kafka

    info = admin.connection
    try:
        check_kafka(info, timeout=10.0)
    except KafkaException as exc:
        raise InfraError(
            f"Kafka at {info.bootstrap_servers} did not answer {info.user!r} over "
            f"{info.security_protocol} within 10 s ({exc.args[0] if exc.args else exc})"
        ) from None


def provision(
    admin: KafkaAdmin, topology: Topology, passwords: Mapping[str, str], settings: Settings
) -> None:
    """Create the topology's principals, topics and grants (see the module docstring)."""
    provision_links(
        admin,
        topology.links,
        passwords,
        replication_factor=settings.kafka.replication_factor,
        min_insync_replicas=settings.kafka.min_insync_replicas,
    )


@dataclass(slots=True)
class Survey:
    """The cluster against the topology's needs."""

    brokers: int
    factor: int
    min_insync: int
    principals: dict[str, bool] = field(default_factory=dict)
    topics: dict[str, str | None] = field(default_factory=dict)  # None: as needed
    grants: dict[Grant, bool] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return (
            all(self.principals.values())
            and all(state is None for state in self.topics.values())
            and all(self.grants.values())
        )

    def lines(self, everything: bool = False) -> list[str]:
        """A report: a summary per kind, then what is missing or differs (all with
        `everything`)."""

        def count(held: Mapping[Any, bool]) -> str:
            return f"{sum(held.values())}/{len(held)}"

        topics_ok = {name: state is None for name, state in self.topics.items()}
        out = [
            f"cluster: {self.brokers} broker(s); link topics need replication factor "
            f"{self.factor}, min.insync.replicas {self.min_insync}",
            f"principals {count(self.principals)}, topics {count(topics_ok)}, "
            f"ACLs {count(self.grants)} as the topology needs",
        ]
        for name, present in self.principals.items():
            if everything or not present:
                out.append(f"  principal {name}: {'present' if present else 'MISSING'}")
        for name, state in self.topics.items():
            if everything or state is not None:
                out.append(f"  topic {name}: {state or 'as needed'}")
        for grant, present in self.grants.items():
            if everything or not present:
                out.append(
                    f"  ACL allow User:{grant.user} {grant.operation} on {grant.resource} "
                    f"{grant.name}: {'present' if present else 'MISSING'}"
                )
        return out


def survey(admin: KafkaAdmin, topology: Topology, settings: Settings) -> Survey:
    """What of the topology's needs the cluster holds (see the module docstring)."""
    needed = needs(topology.links)
    brokers = admin.brokers()
    copies = replication(
        brokers, settings.kafka.replication_factor, settings.kafka.min_insync_replicas
    )
    result = Survey(brokers, copies.factor, copies.min_insync)
    users = admin.users()
    result.principals = {name: name in users for name in needed.principals}
    held = admin.describe_topics(needed.topics)
    for name, compacted in needed.topics.items():
        state = held.get(name)
        if state is None:
            result.topics[name] = "MISSING"
            continue
        wrong = []
        if state.replicas != copies.factor:
            wrong.append(f"{state.replicas} replica(s), not {copies.factor}")
        in_sync = state.config.get("min.insync.replicas")
        if in_sync is not None and in_sync != str(copies.min_insync):
            wrong.append(f"min.insync.replicas {in_sync}, not {copies.min_insync}")
        policy = state.config.get("cleanup.policy", "delete")
        if compacted != ("compact" in policy.split(",")):
            wrong.append(f"cleanup.policy {policy}, not {'compact' if compacted else 'delete'}")
        if state.in_sync < min(state.replicas, copies.min_insync):
            wrong.append(f"only {state.in_sync} replica(s) in sync")
        result.topics[name] = "; ".join(wrong) or None
    acls = {
        (a.user, a.resource, a.name, a.operation)
        for a in admin.acls()
        if a.permission == "allow" and a.pattern == "literal" and a.host == "*"
    }
    result.grants = {g: (g.user, g.resource, g.name, g.operation) in acls for g in needed.grants}
    return result


# -- the command ------------------------------------------------------------------------------

kafka = typer.Typer(
    name="kafka",
    help="A topology's Kafka side: principals, link topics, ACLs.",
    no_args_is_help=True,
)

TopologyFile = Annotated[Path, typer.Argument(help="the topology file", exists=True)]
AdminUser = Annotated[
    str | None,
    typer.Option(
        envvar="MULU_KAFKA_ADMIN_USER", help="the cluster's super user (default: kafka.user)"
    ),
]
AdminPassword = Annotated[
    str | None,
    typer.Option(envvar="MULU_KAFKA_ADMIN_PASSWORD", help="its password (default: kafka.password)"),
]


def _prepared(
    topology: Path, config: Path | None, user: str | None, password: str | None
) -> tuple[Topology, Settings, KafkaAdmin]:
    from federation.topology import load_topology

    settings = settings_from(config)
    try:
        loaded = load_topology(topology, None)  # the stores' secrets are not needed here
    except TopologyError as exc:
        raise typer.BadParameter(str(exc), param_hint="TOPOLOGY") from exc
    try:
        admin = admin_of(settings, user, password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / MULU_KAFKA__*") from exc
    return loaded, settings, admin


def _failed(exc: Exception) -> typer.Exit:
    typer.secho(f"mulu kafka: {exc}", fg=typer.colors.RED, err=True)
    return typer.Exit(1)


@kafka.command("provision")
def provision_command(
    topology: TopologyFile,
    config: ConfigOption = None,
    admin_user: AdminUser = None,
    admin_password: AdminPassword = None,
) -> None:
    """Create the topology's principals, link topics and ACLs (idempotent), then show them."""
    from infra.errors import InfraError

    loaded, settings, admin = _prepared(topology, config, admin_user, admin_password)
    try:
        passwords = instance_passwords(loaded, os.environ)
    except TopologyError as exc:
        raise typer.BadParameter(str(exc), param_hint="MULU_KAFKA_PASSWORD_*") from exc
    try:
        check_admin(admin)
        provision(admin, loaded, passwords, settings)
        result = survey(admin, loaded, settings)
    except (InfraError, InvalidLink, ValueError) as exc:
        raise _failed(exc) from None
    for line in result.lines():
        typer.echo(line)
    if not result.complete:
        raise typer.Exit(INCOMPLETE_EXIT_CODE)


@kafka.command("show")
def show_command(
    topology: TopologyFile,
    config: ConfigOption = None,
    admin_user: AdminUser = None,
    admin_password: AdminPassword = None,
    everything: Annotated[
        bool, typer.Option("--all", help="list what is present too, not only what is missing")
    ] = False,
) -> None:
    """What the cluster holds of the topology's needs; exit 3 when something is missing."""
    from infra.errors import InfraError

    loaded, settings, admin = _prepared(topology, config, admin_user, admin_password)
    try:
        check_admin(admin)
        result = survey(admin, loaded, settings)
    except (InfraError, InvalidLink, ValueError) as exc:
        raise _failed(exc) from None
    for line in result.lines(everything):
        typer.echo(line)
    if not result.complete:
        raise typer.Exit(INCOMPLETE_EXIT_CODE)
