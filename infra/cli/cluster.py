"""``python -m infra kafka cluster start|stop|status|kill|logs``: three Kafka KRaft nodes on
loopback (`infra.kafka.cluster`), each broker and controller, topics kept three times with two
in sync.

``--port P`` is the first of the six ports the cluster takes (P..P+5: each node's client port,
then its controller port). ``principal``, ``acl`` and ``topic`` work on a cluster as on one
broker: give them the port of any running node.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from infra.cli.common import (
    DEV_KAFKA_PASSWORD,
    STOPPED_EXIT_CODE,
    AdminPassword,
    AdminUser,
    Heap,
    Lines,
    Timeout,
    reported,
)
from infra.kafka.cluster import NODES, KafkaCluster
from infra.kafka.tls import KafkaTls, self_signed_tls

__all__ = ["app"]

app = typer.Typer(help="A Kafka cluster of three KRaft nodes on loopback.", no_args_is_help=True)

FirstPort = Annotated[
    int, typer.Option("--port", help="first of 2×nodes ports: node i gets P+2(i-1), +1")
]
Nodes = Annotated[int, typer.Option(min=NODES, help="nodes, each broker and controller")]
ClusterHome = Annotated[
    Path | None,
    typer.Option(help="cluster home (node-1, node-2, …); default <state>/kafka-cluster-<port>"),
]
TlsSelf = Annotated[
    bool,
    typer.Option(
        help="SASL_SSL with a development CA made once under <home>/tls; clients trust "
        "<home>/tls/ca.crt"
    ),
]


def _cluster(
    home: Path | None,
    port: int,
    nodes: int = NODES,
    admin_user: str = "admin",
    admin_password: str = DEV_KAFKA_PASSWORD,
    heap: str = "384m",
    timeout: float = 180.0,
    tls: KafkaTls | None = None,
) -> KafkaCluster:
    with reported():
        return KafkaCluster(
            home,
            port,
            admin_password,
            admin_user=admin_user,
            nodes=nodes,
            heap=heap,
            start_timeout=timeout,
            stop_timeout=min(timeout, 60.0),
            tls=tls,
        )


@app.command("start")
def start(
    port: FirstPort = 9092,
    nodes: Nodes = NODES,
    admin_user: AdminUser = "admin",
    admin_password: AdminPassword = DEV_KAFKA_PASSWORD,
    home: ClusterHome = None,
    heap: Heap = "384m",
    timeout: Timeout = 180.0,
    tls_self: TlsSelf = False,
) -> None:
    """Start every node (harmless for those running) and wait until all are brokers."""
    where = _cluster(home, port, nodes).home
    tls = None
    if tls_self:
        with reported():
            tls = self_signed_tls(where / "tls")
    cluster = _cluster(home, port, nodes, admin_user, admin_password, heap, timeout, tls)
    began = time.monotonic()
    with reported():
        info = cluster.start()
    for status in cluster.status():
        typer.echo(status.describe())
    replication = cluster.replication
    trust = "" if info.ssl_cafile is None else f"  CA {info.ssl_cafile} (--ca-file)"
    typer.echo(
        f"ready in {time.monotonic() - began:.1f} s\nbootstrap {info.bootstrap_servers}  "
        f"{info.security_protocol} {info.mechanism}  super user {info.user}{trust}\n"
        f"replication factor {replication.factor}, min.insync.replicas {replication.min_insync}"
    )


@app.command("stop")
def stop(
    port: FirstPort = 9092, nodes: Nodes = NODES, home: ClusterHome = None, timeout: Timeout = 60.0
) -> None:
    """Stop every node: SIGTERM, SIGKILL after the timeout."""
    cluster = _cluster(home, port, nodes, timeout=timeout)
    began = time.monotonic()
    with reported():
        stopped = cluster.stop()
    for node, was in zip(cluster.nodes, stopped, strict=True):
        typer.echo(f"node {node.node_id}: {'stopped' if was else 'was not running'}")
    typer.echo(f"in {time.monotonic() - began:.1f} s")


@app.command("status")
def status(port: FirstPort = 9092, nodes: Nodes = NODES, home: ClusterHome = None) -> None:
    """Say which nodes run; exit 0 when all do, 3 when any does not."""
    statuses = _cluster(home, port, nodes).status()
    for node in statuses:
        typer.echo(node.describe())
    if not all(node.running for node in statuses):
        raise typer.Exit(STOPPED_EXIT_CODE)


@app.command("kill")
def kill(
    node: Annotated[int, typer.Option(min=1, help="node id, 1-based")],
    port: FirstPort = 9092,
    nodes: Nodes = NODES,
    home: ClusterHome = None,
) -> None:
    """SIGKILL one node (a failure drill; `start` brings it back)."""
    with reported():
        pid = _cluster(home, port, nodes).kill(node)
    typer.echo(f"node {node}: " + ("was not running" if pid is None else f"killed (pid {pid})"))


@app.command("logs")
def logs(
    port: FirstPort = 9092, nodes: Nodes = NODES, home: ClusterHome = None, lines: Lines = 40
) -> None:
    """Print the tails of every node's logs."""
    typer.echo(_cluster(home, port, nodes).log_tail(lines))
