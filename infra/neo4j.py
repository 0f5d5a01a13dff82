"""A Neo4j Community 5.26 server run straight from its Maven jars.

The JVM runs ``org.neo4j.server.CommunityEntryPoint --home-dir=<home> --config-dir=<home>/conf
--console-mode`` with the flags Neo4j's own launcher adds (from the distribution's
``neo4j.conf``: add-opens for java.nio, java.io and sun.nio.ch, netty reflection, G1).
Before the first start ``org.neo4j.cli.AdminTool dbms set-initial-password`` sets the
password of the ``neo4j`` user. Only Bolt listens, on 127.0.0.1; HTTP(S) are off; auth is on.

    >>> server = Neo4jServer(bolt_port=17687, password="change-me-please")
    >>> info = server.start()          # fetches the jars first if needed
    >>> info.uri
    'bolt://127.0.0.1:17687'
    >>> server.stop()
    True
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Final

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from infra.errors import ServerStartError
from infra.fetch import classpath
from infra.java import java_env, java_executable
from infra.locations import state_root
from infra.net import HOST, validate_port
from infra.server import JavaServer, validate_size
from infra.versions import NEO4J

__all__ = ["NEO4J_USER", "Neo4jConnection", "Neo4jServer", "check_neo4j"]

NEO4J_USER: Final = "neo4j"
MIN_PASSWORD_LENGTH: Final = 8  # dbms.security.auth_minimum_password_length's default

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


class Neo4jServer(JavaServer[Neo4jConnection]):
    """One Neo4j instance: home ``<state>/neo4j-<bolt_port>`` unless given."""

    artifacts: ClassVar = NEO4J
    main_class: ClassVar = "org.neo4j.server.CommunityEntryPoint"

    def __init__(
        self,
        home: Path | None = None,
        bolt_port: int = 7687,
        password: str = "",
        *,
        heap: str = "512m",
        page_cache: str = "256m",
        cache: Path | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 60.0,
        owner_pid: int | None = None,
    ) -> None:
        self.bolt_port = validate_port("bolt_port", bolt_port)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(
                f"Neo4j password of {len(password)} characters is too short; Neo4j requires "
                f"at least {MIN_PASSWORD_LENGTH}"
            )
        self.password = password
        self.heap = validate_size("heap", heap)
        self.page_cache = validate_size("page_cache", page_cache)
        super().__init__(
            home if home is not None else state_root() / f"neo4j-{bolt_port}",
            cache=cache,
            start_timeout=start_timeout,
            stop_timeout=stop_timeout,
            owner_pid=owner_pid,
        )

    @property
    def ports(self) -> dict[str, int]:
        return {"bolt": self.bolt_port}

    @property
    def connection(self) -> Neo4jConnection:
        return Neo4jConnection(f"bolt://{HOST}:{self.bolt_port}", NEO4J_USER, self.password)

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def server_logs(self) -> list[Path]:
        return [self.home / "logs" / "debug.log"]

    def config(self) -> str:
        """The ``neo4j.conf`` this instance runs with."""
        address = f"{HOST}:{self.bolt_port}"
        return "\n".join(
            [
                "# Written by infra/neo4j.py on every start; edits are overwritten.",
                f"server.default_listen_address={HOST}",
                f"server.default_advertised_address={HOST}",
                "server.bolt.enabled=true",
                f"server.bolt.listen_address={address}",
                f"server.bolt.advertised_address={address}",
                "server.http.enabled=false",
                "server.https.enabled=false",
                "dbms.security.auth_enabled=true",
                "dbms.usage_report.enabled=false",
                f"server.memory.heap.initial_size={self.heap}",
                f"server.memory.heap.max_size={self.heap}",
                f"server.memory.pagecache.size={self.page_cache}",
                # Preallocating each database's 256 MiB transaction log made every home 0.5 GB.
                "db.tx_log.preallocate=false",
                # Netty's default 5 s quiet period, once per Bolt connector, made every stop
                # take 10 s longer; the stores are checkpointed before it starts.
                "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
                "",
            ]
        )

    def _prepare(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(self.config(), encoding="utf-8")
        if not (self.home / "data" / "databases" / "system").exists():
            self._set_initial_password()

    def _set_initial_password(self) -> None:
        result = subprocess.run(
            [
                str(java_executable()),
                "-cp",
                classpath(self.artifacts, self.cache),
                "org.neo4j.cli.AdminTool",
                "dbms",
                "set-initial-password",
                "--",  # a password may begin with '-' and must not be read as an option
                self.password,
            ],
            cwd=self.home,
            env=java_env({"NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"neo4j-admin dbms set-initial-password failed for {self.home} "
                f"(exit {result.returncode})",
                (result.stdout + result.stderr).strip()[-4000:],
            )

    def _jvm_options(self) -> list[str]:
        return [f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS]

    def _arguments(self) -> list[str]:
        return [f"--home-dir={self.home}", f"--config-dir={self.conf_dir}", "--console-mode"]

    def _probe(self) -> Neo4jConnection | None:
        info = self.connection
        try:
            check_neo4j(info)
        except AuthError as error:
            raise ServerStartError(
                f"Neo4j at {info.uri} refused the password for user {info.user!r} "
                f"({error.message}); the initial password of {self.home} is set only "
                "before its first start: use that password or delete the home directory"
            ) from error
        return info
