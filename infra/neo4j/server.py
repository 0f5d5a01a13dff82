"""A Neo4j Community 5.26 server run straight from its Maven jars.

The JVM runs ``org.neo4j.server.CommunityEntryPoint --home-dir=<home> --config-dir=<home>/conf
--console-mode`` with the flags and ``neo4j.conf`` of `infra.neo4j.config`. Before the first
start ``org.neo4j.cli.AdminTool dbms set-initial-password`` sets the password of the ``neo4j``
user. Readiness is `check_neo4j`: an authenticated ``RETURN 1``.

    >>> server = Neo4jServer(bolt_port=17687, password="change-me-please")
    >>> info = server.start()          # fetches the jars first if needed
    >>> info.uri
    'bolt://127.0.0.1:17687'
    >>> server.stop()
    True
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import ClassVar, Final

from neo4j.exceptions import AuthError

from infra.errors import ServerStartError
from infra.jvm.fetch import classpath
from infra.jvm.java import java_env, java_executable
from infra.jvm.server import JavaServer, validate_size
from infra.locations import state_root
from infra.neo4j.config import JVM_FLAGS, neo4j_conf
from infra.neo4j.connection import NEO4J_USER, Neo4jConnection, check_neo4j
from infra.net import HOST, validate_port
from infra.versions import NEO4J

__all__ = ["Neo4jServer"]

MIN_PASSWORD_LENGTH: Final = 8  # dbms.security.auth_minimum_password_length's default


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

    def configured_ports(self) -> dict[str, int] | None:
        """The Bolt port of ``<home>/conf/neo4j.conf``."""
        try:
            text = (self.conf_dir / "neo4j.conf").read_text(encoding="utf-8")
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith("server.bolt.listen_address="):
                return {"bolt": int(line.rsplit(":", 1)[1])}
        return None

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
        return neo4j_conf(self.bolt_port, self.heap, self.page_cache)

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
