"""Kafka: a single-node KRaft cluster, its SCRAM-SHA-512 principals and their ACLs.

- `connection`: `KafkaConnection`, how a client reaches the broker as one principal, and the
  check that it answers;
- `config`: the broker's ``server.properties`` (listeners, static quorum, SCRAM, authorizer),
  its log4j2 config and JVM flags;
- `tls`: `KafkaTls`, the client listener's certificate, key and CA bundle (PEM), which make
  it SASL_SSL;
- `server`: `KafkaServer`, the broker's life cycle (format once, start, probe, stop);
- `admin`: `KafkaAdmin`, users, ACLs and topics administered as the super user;
- `cluster`: `KafkaCluster`, three such nodes forming one quorum, topics kept three times.

    >>> info = KafkaServer(port=19092, controller_port=19093, admin_password="…").start()
    >>> KafkaAdmin(info).grant_producer("province-33", "catalog.33")
"""

from infra.kafka.admin import Acl, KafkaAdmin, KafkaAdminError
from infra.kafka.cluster import KafkaCluster
from infra.kafka.connection import KafkaConnection
from infra.kafka.server import KafkaServer
from infra.kafka.tls import KafkaTls

__all__ = [
    "Acl",
    "KafkaAdmin",
    "KafkaAdminError",
    "KafkaCluster",
    "KafkaConnection",
    "KafkaServer",
    "KafkaTls",
]
