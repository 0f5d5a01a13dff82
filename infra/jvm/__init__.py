"""Running a Java server from Maven jars: what Neo4j and Kafka share, and nothing of either.

- `java`: which JDK (17 or 21) every JVM and ``mvn`` runs on;
- `fetch`: a server's jars from Maven Central into the cache, once;
- `process`: one JVM detached from the caller, its pid file, its readiness loop, its stop;
- `server`: `JavaServer`, the life cycle a server subclass fills in (prepare its home, its
  JVM options, its readiness probe), and `ServerStatus`.

infra/neo4j/ and infra/kafka/ build on this package; it imports neither of them.
"""

from infra.jvm.server import JavaServer, ServerStatus

__all__ = ["JavaServer", "ServerStatus"]
