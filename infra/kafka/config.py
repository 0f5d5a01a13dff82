"""The configuration of a Kafka 4.1 KRaft node: broker and controller in one JVM. Alone it is
a single-node cluster (node.id=1); in `infra.kafka.cluster` three such nodes form a controller
quorum of three (``voters``) and replicate every topic three times (``replication``).

Listeners, both on 127.0.0.1:

- ``CLIENT`` (``port``): SASL_SSL with SCRAM-SHA-512 when a keystore and a truststore are
  given (PEM files, ``ssl.keystore.type=PEM``: `infra.kafka.tls`), else SASL_PLAINTEXT; for
  clients and for the broker's own inter-broker requests, which authenticate as the super
  user (and, over SASL_SSL, check the broker's certificate and host name like any client).
  A client certificate is asked for but not required (``ssl.client.auth=requested``): one
  that is offered must chain to the truststore.
- ``CONTROLLER`` (``controller_port``): SASL_PLAINTEXT with PLAIN. SCRAM cannot serve a KRaft
  controller listener (its credentials live in the metadata log the controller serves), so the
  broker reaches its controller as ``controller`` with a password drawn at random on every
  start and written only into ``server.properties``.

The quorum is static (``controller.quorum.voters=1@127.0.0.1:<controller_port>``, or every node
of a cluster), so the controller port may change between starts. Before the first start
``kafka.tools.StorageTool format`` writes the metadata log with a fresh cluster id
(`new_cluster_id`, or the cluster's) and the super user's SCRAM-SHA-512 credential (``--add-
scram``). The ``StandardAuthorizer`` denies everything no ACL allows; ``User:<admin_user>`` and
``User:controller`` are super users. Logs go through log4j2 to ``<home>/logs/server.log``."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from infra.kafka.connection import SCRAM_MECHANISM, validate_principal, validate_secret
from infra.net import HOST

__all__ = [
    "CONTROLLER_USER",
    "JVM_FLAGS",
    "LOG4J2_XML",
    "Replication",
    "new_cluster_id",
    "server_properties",
]

CONTROLLER_USER: Final = "controller"

JVM_FLAGS: Final = (
    # What kafka-run-class.sh adds by default.
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:MaxInlineLevel=15",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
)

LOG4J2_XML: Final = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by infra/kafka/config.py on every start; edits are overwritten. -->
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="server" fileName="${sys:kafka.logs.dir}/server.log"
                 filePattern="${sys:kafka.logs.dir}/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="20 MB"/></Policies>
      <DefaultRolloverStrategy max="3"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="server"/></Root>
    <Logger name="org.apache.kafka.clients" level="WARN"/>
    <Logger name="kafka.authorizer.logger" level="WARN"/>
    <Logger name="kafka.request.logger" level="WARN"/>
  </Loggers>
</Configuration>
"""


@dataclass(frozen=True, slots=True)
class Replication:
    """How many copies of each partition a cluster keeps (`factor`), and how many must have a
    write before it is acknowledged to an ``acks=all`` producer (`min_insync`)."""

    factor: int = 1
    min_insync: int = 1

    def __post_init__(self) -> None:
        if self.factor < 1 or not 1 <= self.min_insync <= self.factor:
            raise ValueError(
                f"replication factor {self.factor} with min.insync.replicas "
                f"{self.min_insync}: give a factor of at least 1 and 1 <= min ISR <= factor"
            )

    @classmethod
    def for_brokers(cls, brokers: int) -> Replication:
        """Three copies where there are three brokers or more, two of them in sync; fewer
        brokers, one copy each and one in sync (so that one broker down stops no write)."""
        factor = max(1, min(3, brokers))
        return cls(factor, max(1, factor - 1))


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):  # the storage tool would read it as an option
            return text


def server_properties(
    *,
    listen_host: str,
    advertised_host: str,
    port: int,
    advertised_port: int,
    controller_port: int,
    data_dir: str,
    admin_user: str,
    admin_password: str,
    controller_secret: str,
    keystore: str | None = None,
    truststore: str | None = None,
    node_id: int = 1,
    voters: Sequence[tuple[int, int]] = (),
    replication: Replication = Replication(),
) -> str:
    """A KRaft ``server.properties`` (see the module docstring).

    Alone (no `voters`) the node is the only voter of its quorum. In a cluster `voters` lists
    every node's (node id, controller port), this one's included; `replication` sets the
    copies of the internal topics and the default of every other topic.

    `listen_host`/`port` is where the client listener binds; `advertised_host`/
    `advertised_port` is what clients are told (they differ inside a container). The
    controller listener binds on `listen_host` and the static quorum reaches it on 127.0.0.1.
    With `keystore` (a PEM file: key, then certificate chain) and `truststore` (the PEM CA
    bundle), the client listener is SASL_SSL.
    """
    if (keystore is None) != (truststore is None):
        raise ValueError("give both a keystore and a truststore for SASL_SSL, or neither")
    validate_principal(admin_user)
    validate_secret("Kafka admin password", admin_password)
    validate_secret("controller secret", controller_secret)
    admin_jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{admin_user}" password="{admin_password}";'
    )
    controller_jaas = (
        "org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{CONTROLLER_USER}" password="{controller_secret}" '
        f'user_{CONTROLLER_USER}="{controller_secret}";'
    )
    client_protocol = "SASL_PLAINTEXT" if keystore is None else "SASL_SSL"
    quorum = list(voters) or [(node_id, controller_port)]
    if (node_id, controller_port) not in quorum:
        raise ValueError(f"node {node_id} (controller port {controller_port}) is not a voter")
    copies, in_sync = str(replication.factor), str(replication.min_insync)
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "controller.quorum.voters": ",".join(f"{n}@{HOST}:{p}" for n, p in quorum),
        "listeners": f"CLIENT://{listen_host}:{port},CONTROLLER://{listen_host}:{controller_port}",
        "advertised.listeners": f"CLIENT://{advertised_host}:{advertised_port}",
        "listener.security.protocol.map": f"CLIENT:{client_protocol},CONTROLLER:SASL_PLAINTEXT",
        "inter.broker.listener.name": "CLIENT",
        "controller.listener.names": "CONTROLLER",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        "sasl.mechanism.controller.protocol": "PLAIN",
        "listener.name.client.sasl.enabled.mechanisms": SCRAM_MECHANISM,
        f"listener.name.client.{SCRAM_MECHANISM.lower()}.sasl.jaas.config": admin_jaas,
        "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
        "listener.name.controller.plain.sasl.jaas.config": controller_jaas,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        # A link topic is created (compacted, one partition) and granted, never made by a
        # producer's first send.
        "auto.create.topics.enable": "false",
        "super.users": f"User:{admin_user};User:{CONTROLLER_USER}",
        "log.dirs": data_dir,
        "num.partitions": "1",
        "default.replication.factor": copies,
        "min.insync.replicas": in_sync,
        "offsets.topic.replication.factor": copies,
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": copies,
        "transaction.state.log.min.isr": in_sync,
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": copies,
        "share.coordinator.state.topic.min.isr": in_sync,
        "group.initial.rebalance.delay.ms": "0",
    }
    if keystore is not None and truststore is not None:
        settings |= {
            "listener.name.client.ssl.keystore.type": "PEM",
            "listener.name.client.ssl.keystore.location": keystore,
            "listener.name.client.ssl.truststore.type": "PEM",
            "listener.name.client.ssl.truststore.location": truststore,
            "listener.name.client.ssl.client.auth": "requested",
            "listener.name.client.ssl.endpoint.identification.algorithm": "https",
        }
    lines = ["# Written by infra/kafka/config.py on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"
