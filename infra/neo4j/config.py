"""The configuration of a Neo4j Community 5.26 server: its ``neo4j.conf`` and JVM flags.

Only Bolt listens, on 127.0.0.1; HTTP(S) are off; auth is on. The JVM gets the flags Neo4j's
own launcher adds (from the distribution's ``neo4j.conf``: add-opens for java.nio, java.io and
sun.nio.ch, netty reflection, G1).
"""

from __future__ import annotations

from typing import Final

from infra.net import HOST

__all__ = ["JVM_FLAGS", "neo4j_conf"]

# From the server.jvm.additional lines of Neo4j 5.26's neo4j.conf, minus -XX:+AlwaysPreTouch
# (it would make the whole heap resident at once) and the flight-recorder tuning.
JVM_FLAGS: Final = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


def neo4j_conf(bolt_port: int, heap: str, page_cache: str) -> str:
    """A ``neo4j.conf``: Bolt alone, on 127.0.0.1:`bolt_port`; auth on; `heap`, `page_cache`."""
    address = f"{HOST}:{bolt_port}"
    return "\n".join(
        [
            "# Written by infra/neo4j/config.py on every start; edits are overwritten.",
            f"server.default_listen_address={HOST}",
            f"server.default_advertised_address={HOST}",
            "server.bolt.enabled=true",
            f"server.bolt.listen_address={address}",
            f"server.bolt.advertised_address={address}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={heap}",
            f"server.memory.heap.max_size={heap}",
            f"server.memory.pagecache.size={page_cache}",
            # Preallocating each database's 256 MiB transaction log made every home 0.5 GB.
            "db.tx_log.preallocate=false",
            # A development server keeps no backups: transaction logs beyond 1 GB are pruned at
            # each checkpoint (Neo4j keeps two days of them by default: 9 GB for a 1M load).
            "db.tx_log.rotation.retention_policy=1G size",
            # Netty's default 5 s quiet period, once per Bolt connector, made every stop
            # take 10 s longer; the stores are checkpointed before it starts.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
            "",
        ]
    )
