"""A Kafka single-node KRaft cluster's life cycle: format its storage once, start, probe.

What the broker runs with (listeners, quorum, SCRAM, the authorizer) is in
`infra.kafka.config`; readiness is a metadata request as the super user that lists a broker.
With `tls` (`infra.kafka.tls.KafkaTls`) the client listener is SASL_SSL: its PEM keystore is
written to ``<home>/conf/client-listener.pem`` (0600) on every start, and `connection` verifies
the broker with the CA bundle.

    >>> server = KafkaServer(port=19092, controller_port=19093, admin_password="change-me-please")
    >>> info = server.start()
    >>> info.bootstrap_servers
    '127.0.0.1:19092'
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from infra.errors import KafkaAuthenticationError, KafkaTlsError, ServerStartError
from infra.jvm.fetch import classpath
from infra.jvm.java import java_env, java_executable
from infra.jvm.server import JavaServer, validate_size
from infra.kafka.config import (
    CONTROLLER_USER,
    JVM_FLAGS,
    LOG4J2_XML,
    Replication,
    new_cluster_id,
    server_properties,
)
from infra.kafka.connection import (
    SCRAM_MECHANISM,
    KafkaConnection,
    check_kafka,
    validate_principal,
    validate_secret,
)
from infra.kafka.tls import KafkaTls
from infra.locations import state_root
from infra.net import HOST, validate_port
from infra.versions import KAFKA

__all__ = ["KafkaServer"]


class KafkaServer(JavaServer[KafkaConnection]):
    """One single-node KRaft cluster: home ``<state>/kafka-<port>`` unless given."""

    artifacts: ClassVar = KAFKA
    main_class: ClassVar = "kafka.Kafka"

    def __init__(
        self,
        home: Path | None = None,
        port: int = 9092,
        controller_port: int = 9093,
        admin_password: str = "",
        *,
        admin_user: str = "admin",
        heap: str = "512m",
        cache: Path | None = None,
        start_timeout: float = 120.0,
        stop_timeout: float = 60.0,
        owner_pid: int | None = None,
        tls: KafkaTls | None = None,
        node_id: int = 1,
        voters: Sequence[tuple[int, int]] = (),
        replication: Replication | None = None,
    ) -> None:
        self.tls = tls
        self.node_id = node_id
        self.voters = tuple(voters)
        self.replication = replication if replication is not None else Replication()
        # Given by a cluster, whose nodes share them; a single node draws its own.
        self.cluster_id: str | None = None
        self.controller_secret: str | None = None
        self.port = validate_port("port", port)
        self.controller_port = validate_port("controller_port", controller_port)
        if port == controller_port:
            raise ValueError(f"port and controller_port are both {port}; give two different ports")
        self.admin_user = validate_principal(admin_user)
        if admin_user == CONTROLLER_USER:
            raise ValueError(f"admin_user {admin_user!r} is reserved for the controller listener")
        self.admin_password = validate_secret("Kafka admin password", admin_password)
        self.heap = validate_size("heap", heap)
        super().__init__(
            home if home is not None else state_root() / f"kafka-{port}",
            cache=cache,
            start_timeout=start_timeout,
            stop_timeout=stop_timeout,
            owner_pid=owner_pid,
        )

    @property
    def ports(self) -> dict[str, int]:
        return {"client": self.port, "controller": self.controller_port}

    def configured_ports(self) -> dict[str, int] | None:
        """The client and controller ports of ``<home>/conf/server.properties``."""
        try:
            text = (self.conf_dir / "server.properties").read_text(encoding="utf-8")
        except OSError:
            return None
        for line in text.splitlines():
            if line.startswith("listeners="):
                found = dict(
                    (name.lower(), int(address.rsplit(":", 1)[1]))
                    for name, _, address in (
                        item.partition("://") for item in line.removeprefix("listeners=").split(",")
                    )
                )
                if {"client", "controller"} <= found.keys():
                    return {"client": found["client"], "controller": found["controller"]}
        return None

    @property
    def connection(self) -> KafkaConnection:
        if self.tls is None:
            return KafkaConnection(f"{HOST}:{self.port}", self.admin_user, self.admin_password)
        return KafkaConnection(
            f"{HOST}:{self.port}",
            self.admin_user,
            self.admin_password,
            security_protocol="SASL_SSL",
            ssl_cafile=str(self.tls.ca),
        )

    @property
    def keystore(self) -> Path:
        """The client listener's PEM keystore (key and chain), written from `tls`."""
        return self.conf_dir / "client-listener.pem"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def server_logs(self) -> list[Path]:
        return [self.home / "logs" / "server.log"]

    def properties(self, controller_secret: str) -> str:
        """The ``server.properties`` this instance runs with."""
        return server_properties(
            listen_host=HOST,
            advertised_host=HOST,
            port=self.port,
            advertised_port=self.port,
            controller_port=self.controller_port,
            data_dir=str(self.data_dir),
            admin_user=self.admin_user,
            admin_password=self.admin_password,
            controller_secret=controller_secret,
            keystore=None if self.tls is None else str(self.keystore),
            truststore=None if self.tls is None else str(self.tls.ca),
            node_id=self.node_id,
            voters=self.voters,
            replication=self.replication,
        )

    def _prepare(self) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        properties = self.conf_dir / "server.properties"
        properties.touch(mode=0o600)
        properties.chmod(0o600)
        secret = self.controller_secret or secrets.token_urlsafe(24)
        properties.write_text(self.properties(secret), encoding="utf-8")
        if self.tls is not None:
            self.keystore.touch(mode=0o600)
            self.keystore.chmod(0o600)
            self.keystore.write_bytes(self.tls.keystore_pem())
        (self.conf_dir / "log4j2.xml").write_text(LOG4J2_XML, encoding="utf-8")
        if not (self.data_dir / "meta.properties").exists():
            self._format(properties)

    def _format(self, properties: Path) -> None:
        command = [
            str(java_executable()),
            *self._logging_options(),
            "-cp",
            classpath(self.artifacts, self.cache),
            "kafka.tools.StorageTool",
            "format",
            "--config",
            str(properties),
            "--cluster-id",
            self.cluster_id or new_cluster_id(),
            "--add-scram",
            f"{SCRAM_MECHANISM}=[name={self.admin_user},password={self.admin_password}]",
        ]
        result = subprocess.run(
            command, cwd=self.home, env=java_env(), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"kafka-storage format failed for {self.data_dir} (exit {result.returncode})",
                (result.stdout + result.stderr).strip()[-4000:],
            )

    def _logging_options(self) -> list[str]:
        return [
            f"-Dlog4j2.configurationFile={self.conf_dir / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
        ]

    def _jvm_options(self) -> list[str]:
        return [f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS, *self._logging_options()]

    def _arguments(self) -> list[str]:
        return [str(self.conf_dir / "server.properties")]

    def _probe(self) -> KafkaConnection | None:
        info = self.connection
        try:
            return info if check_kafka(info) else None
        except KafkaAuthenticationError as error:
            raise ServerStartError(
                f"{error}; the super user's password of {self.data_dir} is fixed when it is "
                "formatted: use that password or delete the home directory"
            ) from error
        except KafkaTlsError as error:
            raise ServerStartError(str(error)) from error
