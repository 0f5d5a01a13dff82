"""Every pinned version infra/ uses, in one place.

Changing a version here changes the cache directory (``<server>-<version>``), so the next
`fetch` downloads the new set and the old one stays until removed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "JAVA_FEATURE_VERSIONS",
    "KAFKA",
    "KAFKA_VERSION",
    "LOG4J2_VERSION",
    "MAVEN_DEPENDENCY_PLUGIN_VERSION",
    "NEO4J",
    "NEO4J_VERSION",
    "SCALA_BINARY_VERSION",
    "Artifact",
    "ServerArtifacts",
]

NEO4J_VERSION: Final = "5.26.30"
KAFKA_VERSION: Final = "4.1.1"
SCALA_BINARY_VERSION: Final = "2.13"
LOG4J2_VERSION: Final = "2.24.3"
MAVEN_DEPENDENCY_PLUGIN_VERSION: Final = "3.8.1"

# Java feature releases both servers support (Neo4j 5.26: 17 and 21; Kafka 4.1 brokers: 17+).
JAVA_FEATURE_VERSIONS: Final = (17, 21)


@dataclass(frozen=True, slots=True)
class Artifact:
    """One Maven coordinate."""

    group_id: str
    artifact_id: str
    version: str

    def __str__(self) -> str:
        return f"{self.group_id}:{self.artifact_id}:{self.version}"


@dataclass(frozen=True, slots=True)
class ServerArtifacts:
    """What to download for one server: its name, version and the root artifacts."""

    name: str
    version: str
    artifacts: tuple[Artifact, ...]

    @property
    def key(self) -> str:
        """The cache directory name, e.g. ``neo4j-5.26.30``."""
        return f"{self.name}-{self.version}"


NEO4J: Final = ServerArtifacts(
    name="neo4j",
    version=NEO4J_VERSION,
    artifacts=(Artifact("org.neo4j", "neo4j", NEO4J_VERSION),),
)

KAFKA: Final = ServerArtifacts(
    name="kafka",
    version=KAFKA_VERSION,
    artifacts=(
        Artifact("org.apache.kafka", f"kafka_{SCALA_BINARY_VERSION}", KAFKA_VERSION),
        Artifact("org.apache.kafka", "kafka-tools", KAFKA_VERSION),
        # Kafka 4 logs through slf4j 1.7 (the API version its poms resolve to), so the binding
        # is log4j-slf4j-impl (slf4j 1.x), not log4j-slf4j2-impl, which slf4j 1.7 ignores.
        Artifact("org.apache.logging.log4j", "log4j-slf4j-impl", LOG4J2_VERSION),
        Artifact("org.apache.logging.log4j", "log4j-core", LOG4J2_VERSION),
    ),
)
