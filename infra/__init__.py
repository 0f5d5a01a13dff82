"""Real Neo4j and Kafka servers for development, tests and benchmarks, without Docker.

Jars come from Maven Central (``mvn``, cached outside the repo), JVMs run on Java 17 and listen
on 127.0.0.1 only. See infra/README.md.

    >>> from infra import KafkaServer, Neo4jServer
    >>> with Neo4jServer(bolt_port=17687, password="change-me-please") as neo4j:
    ...     neo4j.uri
    'bolt://127.0.0.1:17687'

One subpackage per server, `neo4j/` and `kafka/`, each holding its config, connection check and
life cycle (and, for Kafka, the ACL admin); `cli/` is ``python -m infra``, one module per
command group. What the two servers share is split by kind:

- `jvm/`: the machinery of running a Java server from Maven jars (JDK discovery, fetching with
  ``mvn``, the detached process, the `JavaServer` base). It is a package of its own because it
  is one concern, in four modules, that both servers build on and that knows neither.
- `errors`, `versions`, `locations`, `net`: stay at the top. Each is a leaf that imports nothing
  of infra/, and each is read by every part and by callers outside: the error tree of the
  package, every pinned version in one file, where jars and homes live, loopback ports.
"""

from infra.errors import FetchError, InfraError, JavaNotFoundError, ServerStartError
from infra.jvm import ServerStatus
from infra.kafka import (
    Acl,
    KafkaAdmin,
    KafkaAdminError,
    KafkaConnection,
    KafkaServer,
    KafkaTls,
)
from infra.neo4j import Neo4jConnection, Neo4jServer
from infra.net import free_port, free_ports

__all__ = [
    "Acl",
    "FetchError",
    "InfraError",
    "JavaNotFoundError",
    "KafkaAdmin",
    "KafkaAdminError",
    "KafkaConnection",
    "KafkaServer",
    "KafkaTls",
    "Neo4jConnection",
    "Neo4jServer",
    "ServerStartError",
    "ServerStatus",
    "free_port",
    "free_ports",
]
