"""How a client reaches a Neo4j server, and the check that it answers with that password.

>>> info = Neo4jConnection("bolt://127.0.0.1:7687", "neo4j", "change-me-please")
>>> check_neo4j(info)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from neo4j import GraphDatabase

__all__ = ["NEO4J_USER", "Neo4jConnection", "check_neo4j"]

NEO4J_USER: Final = "neo4j"


@dataclass(frozen=True, slots=True)
class Neo4jConnection:
    """How to reach a Neo4j server: ``GraphDatabase.driver(c.uri, auth=c.auth)``."""

    uri: str
    user: str
    password: str = field(repr=False)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)


def check_neo4j(info: Neo4jConnection, timeout: float = 2.0) -> None:
    """One authenticated round trip (``RETURN 1``) to the default database.

    Raises ``neo4j.exceptions.AuthError`` when the password is refused and another
    ``neo4j.exceptions.Neo4jError``/``DriverError`` when the server does not serve yet.
    """
    with GraphDatabase.driver(info.uri, auth=info.auth, connection_timeout=timeout) as driver:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1")
