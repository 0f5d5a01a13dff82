"""A Kafka 4.1 cluster of three KRaft nodes on loopback: each is broker and controller (combined
mode), the three form the controller quorum, and every topic is kept three times with two
copies in sync (``min.insync.replicas=2``) — one node may fail without stopping a write that
asks for ``acks=all`` or losing one that was acknowledged.

Node ``i`` (1, 2, 3) lives in ``<home>/node-<i>`` and listens on ``port + 2(i-1)`` (clients)
and ``port + 2(i-1) + 1`` (its controller): ``--port 59100`` takes 59100–59105. Each node is an
`infra.kafka.KafkaServer` with what the cluster gives all three:

- one cluster id (``<home>/cluster.id``), written into each node's storage when it is
  formatted, together with the super user's SCRAM credential — the same users and ACLs as a
  single broker, replicated by the metadata quorum;
- one secret of the controller listener's PLAIN user (``<home>/controller.secret``, 0600), for
  a controller talks to the other two with it; drawn once, so a node started again alone
  rejoins;
- TLS: the same PEM files for every node's client listener (the certificate names 127.0.0.1).

`start` launches every node that is not running, then waits until each serves and the
cluster's metadata lists all of them: no node answers before a quorum of controllers exists.

    >>> cluster = KafkaCluster(port=59100, admin_password="change-me-please")
    >>> info = cluster.start()
    >>> info.bootstrap_servers
    '127.0.0.1:59100,127.0.0.1:59102,127.0.0.1:59104'
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Final

from confluent_kafka.admin import AdminClient

from infra.errors import ServerStartError
from infra.jvm.server import ServerStatus
from infra.kafka.config import Replication, new_cluster_id
from infra.kafka.connection import QUIET_CLIENT, KafkaConnection
from infra.kafka.server import KafkaServer
from infra.kafka.tls import KafkaTls
from infra.locations import state_root
from infra.net import HOST, validate_port

__all__ = ["NODES", "KafkaCluster"]

NODES: Final = 3


class KafkaCluster:
    """Three KRaft nodes (broker + controller each) sharing one cluster id and quorum."""

    def __init__(
        self,
        home: Path | None = None,
        port: int = 9092,
        admin_password: str = "",
        *,
        admin_user: str = "admin",
        nodes: int = NODES,
        heap: str = "384m",
        cache: Path | None = None,
        start_timeout: float = 180.0,
        stop_timeout: float = 60.0,
        owner_pid: int | None = None,
        tls: KafkaTls | None = None,
    ) -> None:
        if nodes < NODES:
            raise ValueError(
                f"nodes={nodes!r}: a cluster has at least {NODES} nodes (a quorum that "
                "survives one failure); for one broker use KafkaServer"
            )
        validate_port("port", port)
        validate_port("last port", port + 2 * nodes - 1)
        chosen = home if home is not None else state_root() / f"kafka-cluster-{port}"
        self.home = Path(chosen).expanduser().absolute()
        self.port = port
        self.start_timeout = start_timeout
        self.replication = Replication.for_brokers(nodes)
        voters = [(i, port + 2 * (i - 1) + 1) for i in range(1, nodes + 1)]
        self.nodes = [
            KafkaServer(
                self.home / f"node-{i}",
                port + 2 * (i - 1),
                controller_port,
                admin_password,
                admin_user=admin_user,
                heap=heap,
                cache=cache,
                start_timeout=start_timeout,
                stop_timeout=stop_timeout,
                owner_pid=owner_pid,
                tls=tls,
                node_id=i,
                voters=voters,
                replication=self.replication,
            )
            for i, controller_port in voters
        ]

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{HOST}:{node.port}" for node in self.nodes)

    @property
    def connection(self) -> KafkaConnection:
        """The super user's connection, bootstrapping from every node."""
        first = self.nodes[0].connection
        return KafkaConnection(
            self.bootstrap_servers,
            first.user,
            first.password,
            mechanism=first.mechanism,
            security_protocol=first.security_protocol,
            ssl_cafile=first.ssl_cafile,
        )

    def node(self, node_id: int) -> KafkaServer:
        """The node with this id (1-based)."""
        if not 1 <= node_id <= len(self.nodes):
            raise ValueError(f"node {node_id!r} is not one of 1..{len(self.nodes)}")
        return self.nodes[node_id - 1]

    def _shared(self, name: str, make: str) -> str:
        """A value every node must share, drawn once and kept in the cluster's home."""
        path = self.home / name
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(make + "\n", encoding="ascii")
        path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()

    def start(self) -> KafkaConnection:
        """Start every node that is not running and wait until all serve; return the super
        user's connection. A node that already runs is only waited for. On failure the nodes
        this call launched are killed and `ServerStartError` carries the failing node's logs."""
        cluster_id = self._shared("cluster.id", new_cluster_id())
        secret = self._shared("controller.secret", secrets.token_urlsafe(24))
        launched: list[tuple[KafkaServer, int, bool]] = []
        try:
            for node in self.nodes:
                node.cluster_id, node.controller_secret = cluster_id, secret
                launched.append((node, *node.launch()))
            for node, pid, _ in launched:
                node.wait_ready(pid)
            self._wait_for_brokers()
        except BaseException:
            for node, pid, spawned in launched:
                if spawned:
                    node.process.kill(pid)
            raise
        return self.connection

    def _wait_for_brokers(self) -> None:
        """Until the metadata lists every node as a broker (each registers on its own)."""
        admin = AdminClient({**self.connection.confluent(), **QUIET_CLIENT})
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                brokers = len(admin.list_topics(timeout=2).brokers)
            except Exception:  # not answering yet is what we wait out
                brokers = 0
            if brokers >= len(self.nodes):
                return
            if time.monotonic() >= deadline:
                raise ServerStartError(
                    f"the cluster at {self.home} lists {brokers} of {len(self.nodes)} brokers "
                    f"after {self.start_timeout:.0f} s",
                    "\n".join(node.log_tail(20) for node in self.nodes),
                )
            time.sleep(0.2)

    def stop(self) -> list[bool]:
        """Stop every node at once (SIGTERM, SIGKILL after the stop timeout); whether each
        ran. One after another, the last node's broker would wait out its timeout for a
        controller quorum that left with the others."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            return list(pool.map(lambda node: node.stop(), self.nodes))

    def kill(self, node_id: int) -> int | None:
        """SIGKILL node `node_id` (a failure drill: no controlled shutdown); its pid, or None
        if it was not running. `start` brings it back."""
        node = self.node(node_id)
        pid = node.process.state().pid
        if pid is not None:
            node.process.kill(pid)
        return pid

    def status(self) -> list[ServerStatus]:
        return [node.status() for node in self.nodes]

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(f"## node {n.node_id}\n{n.log_tail(lines)}" for n in self.nodes)

    def __repr__(self) -> str:
        return f"KafkaCluster(home={str(self.home)!r}, nodes={len(self.nodes)}, port={self.port})"
