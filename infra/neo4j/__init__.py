"""Neo4j: a Community 5.26 server on loopback, and how a client reaches it.

- `config`: the server's ``neo4j.conf`` (Bolt alone, on 127.0.0.1; auth on) and JVM flags;
- `connection`: `Neo4jConnection` (uri, user, password) and the check that it answers;
- `server`: `Neo4jServer`, the life cycle (initial password once, start, probe, stop).

    >>> with Neo4jServer(bolt_port=17687, password="change-me-please") as info:
    ...     GraphDatabase.driver(info.uri, auth=info.auth)
"""

from infra.neo4j.connection import Neo4jConnection
from infra.neo4j.server import Neo4jServer

__all__ = ["Neo4jConnection", "Neo4jServer"]
