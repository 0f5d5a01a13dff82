"""Real Neo4j and Kafka servers for development, tests and benchmarks, without Docker.

Jars come from Maven Central (``mvn``, cached outside the repo), JVMs run on Java 17 and listen
on 127.0.0.1 only. See infra/README.md.

    >>> from infra import KafkaServer, Neo4jServer
    >>> with Neo4jServer(bolt_port=17687, password="change-me-please") as neo4j:
    ...     neo4j.uri
    'bolt://127.0.0.1:17687'
"""

from infra.errors import FetchError, InfraError, JavaNotFoundError, ServerStartError
from infra.kafka import Acl, KafkaAdmin, KafkaAdminError, KafkaConnection, KafkaServer
from infra.neo4j import Neo4jConnection, Neo4jServer
from infra.net import free_port, free_ports
from infra.server import ServerStatus

__all__ = [
    "Acl",
    "FetchError",
    "InfraError",
    "JavaNotFoundError",
    "KafkaAdmin",
    "KafkaAdminError",
    "KafkaConnection",
    "KafkaServer",
    "Neo4jConnection",
    "Neo4jServer",
    "ServerStartError",
    "ServerStatus",
    "free_port",
    "free_ports",
]
