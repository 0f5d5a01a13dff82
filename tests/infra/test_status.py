"""`status` of a home whose server is not running, while its ports are held by another process;
the ports a running server's configuration names; who listens on a port; the cluster's
configuration (no JVM started here: tests/sync/test_kafka_cluster.py runs a real cluster)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import KafkaServer, Neo4jServer, free_ports
from infra.kafka.cluster import KafkaCluster
from infra.kafka.config import Replication, server_properties
from infra.neo4j.config import neo4j_conf
from infra.net import HOST, listener_pid


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port this test process listens on."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_who_listens_on_a_port(held_port: int) -> None:
    assert listener_pid(held_port) == os.getpid()
    (idle,) = free_ports(1)
    assert listener_pid(idle) is None


def test_a_stopped_home_says_who_holds_its_port(tmp_path: Path, held_port: int) -> None:
    (controller,) = free_ports(1)
    status = KafkaServer(tmp_path, held_port, controller, "a-long-password").status()
    assert not status.running
    assert list(status.taken) == ["client"]
    assert status.taken["client"].startswith(f"pid {os.getpid()} (")
    assert f"but client port 127.0.0.1:{held_port} is in use by pid {os.getpid()}" in (
        status.describe()
    )


def test_the_ports_of_a_home_are_those_of_its_configuration(tmp_path: Path) -> None:
    server = KafkaServer(tmp_path, 9092, 9093, "a-long-password")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "server.properties").write_text(
        server_properties(
            listen_host=HOST,
            advertised_host=HOST,
            port=59110,
            advertised_port=59110,
            controller_port=59111,
            data_dir=str(tmp_path / "data"),
            admin_user="admin",
            admin_password="a-long-password",
            controller_secret="another-long-secret",
        )
    )
    assert server.configured_ports() == {"client": 59110, "controller": 59111}
    neo4j = Neo4jServer(tmp_path / "neo4j", 7687, "a-long-password")
    assert neo4j.configured_ports() is None
    neo4j.conf_dir.mkdir(parents=True)
    (neo4j.conf_dir / "neo4j.conf").write_text(neo4j_conf(57687, "512m", "256m"), encoding="utf-8")
    assert neo4j.configured_ports() == {"bolt": 57687}


def test_a_cluster_of_three_shares_one_quorum_and_keeps_three_copies(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, 59100, "a-long-password")
    assert [(n.port, n.controller_port, n.node_id) for n in cluster.nodes] == [
        (59100, 59101, 1),
        (59102, 59103, 2),
        (59104, 59105, 3),
    ]
    assert cluster.bootstrap_servers == "127.0.0.1:59100,127.0.0.1:59102,127.0.0.1:59104"
    text = cluster.nodes[1].properties("another-long-secret")
    assert "node.id=2\n" in text
    assert "controller.quorum.voters=1@127.0.0.1:59101,2@127.0.0.1:59103,3@127.0.0.1:59105" in text
    assert "default.replication.factor=3\n" in text
    assert "min.insync.replicas=2\n" in text
    assert "offsets.topic.replication.factor=3\n" in text
    with pytest.raises(ValueError, match="at least 3 nodes"):
        KafkaCluster(tmp_path, 59100, "a-long-password", nodes=2)


@pytest.mark.parametrize(
    ("brokers", "factor", "in_sync"), [(1, 1, 1), (2, 2, 1), (3, 3, 2), (5, 3, 2)]
)
def test_replication_follows_the_brokers(brokers: int, factor: int, in_sync: int) -> None:
    assert Replication.for_brokers(brokers) == Replication(factor, in_sync)
